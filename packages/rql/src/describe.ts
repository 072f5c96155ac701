import { Binary, UUID } from "bson";
import type { Decimal128, ObjectId } from "bson";
import type { BoundExpression, BoundOrdering, BoundPredicate, BoundQuery } from "./bind/bound.js";
import { RqlUnsupportedError } from "./errors.js";
import { bytesOf, kindOf } from "./evaluate/values.js";
import { quoteString } from "./parse/quoteString.js";

/**
 * Canonical RQL text for a bound query, arguments written out as literals: parsing and binding
 * it again gives a query with the same results. Used in logs and in the sync protocol.
 */
export function describeQuery(bound: BoundQuery): string {
  const ordering = bound.ordering.map(describeOrdering);
  return [describePredicate(bound.predicate), ...ordering].join(" ");
}

function describePredicate(node: BoundPredicate): string {
  switch (node.kind) {
    case "truth":
      return node.value ? "TRUEPREDICATE" : "FALSEPREDICATE";
    case "not":
      return `NOT ${grouped(node.operand)}`;
    case "and":
    case "or":
      return node.operands.map(grouped).join(node.kind === "and" ? " AND " : " OR ");
    case "comparison": {
      const modifiers = `${node.caseInsensitive ? "c" : ""}${node.diacriticInsensitive ? "d" : ""}`;
      const operator = /^[a-z]/.test(node.operator) ? node.operator.toUpperCase() : node.operator;
      return `${describeExpression(node.left)} ${operator}${modifiers === "" ? "" : `[${modifiers}]`} ${describeExpression(node.right)}`;
    }
    case "fullText":
      return `${node.path.text} TEXT ${quoteString(node.text)}`;
  }
}

function grouped(node: BoundPredicate): string {
  const text = describePredicate(node);
  return node.kind === "and" || node.kind === "or" ? `(${text})` : text;
}

function describeExpression(expression: BoundExpression): string {
  switch (expression.kind) {
    case "path":
      return expression.text;
    case "constant":
      return describeValue(expression.value);
    case "list": {
      const items = `{${expression.items.map((item) => describeValue(item.value)).join(", ")}}`;
      return expression.quantifier === undefined
        ? items
        : `${expression.quantifier.toUpperCase()} ${items}`;
    }
    case "subqueryCount":
      return `SUBQUERY(${expression.collection.text}, ${expression.variable}, ${describePredicate(expression.predicate)}).@count`;
  }
}

function describeOrdering(step: BoundOrdering): string {
  switch (step.kind) {
    case "limit":
      return `LIMIT(${step.count})`;
    case "distinct":
      return `DISTINCT(${step.paths.map((path) => path.text).join(", ")})`;
    case "sort":
      return `SORT(${step.keys.map((key) => `${key.path.text} ${key.ascending ? "ASC" : "DESC"}`).join(", ")})`;
  }
}

/** A value as an RQL literal. */
export function describeValue(value: unknown): string {
  switch (kindOf(value)) {
    case "null":
      return "null";
    case "bool":
    case "string":
      return typeof value === "string" ? quoteString(value) : String(value);
    case "number":
      return describeNumber(Number(value));
    case "decimal":
      return (value as Decimal128).toString();
    case "date":
      return describeDate(value as Date);
    case "objectId":
      return `oid(${(value as ObjectId).toHexString()})`;
    case "uuid":
      return `uuid(${new UUID(bytesOf(value)).toHexString(true)})`;
    case "binary":
      return `B64"${Buffer.from(bytesOf(value)).toString("base64")}"`;
    default:
      throw new RqlUnsupportedError(
        `A ${value instanceof Binary ? "binary" : kindOf(value)} argument has no RQL text form`,
      );
  }
}

function describeNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "infinity" : "-infinity";
  return String(n);
}

/** `T<seconds>:<nanoseconds>`, both with the sign of the instant, as Realm writes timestamps. */
function describeDate(date: Date): string {
  const millis = date.getTime();
  const seconds = Math.trunc(millis / 1000);
  const nanos = (millis - seconds * 1000) * 1_000_000;
  return `T${seconds}:${nanos}`;
}

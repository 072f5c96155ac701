/**
 * Turns a rule expression into a MongoDB filter with every expansion substituted, so the
 * same filter engine that runs user queries also enforces rules (AND a role's read filter
 * into the query). Semantics, following App Services:
 * - keys are ANDed; `{}` and `true` admit everything, `false` nothing;
 * - a bare key is a field of the document; a `%%`-key is a value compared with its operand
 *   (`{"%%user.data.email": {"%exists": true}}`), which folds to admit-all or admit-nothing;
 * - `%and`/`%or`/`%exists` are `$and`/`$or`/`$exists`; `%stringToOid`, `%oidToString`,
 *   `%stringToUuid`, `%uuidToString` convert; `%function` calls a function (a throw → false);
 * - `$in`/`$nin` accept an expansion that resolves to an array (a missing one matches nothing).
 * Without a document (query rewriting), `%%root.<path>` stands for the field `<path>`.
 */
import { ObjectId, UUID } from "bson";
import { matches } from "../data/mql.js";
import type { RuleExpression } from "../config/types.js";
import type { Document } from "../data/types.js";
import { isExpansion, resolveExpansion, splitExpansion } from "./resolveExpansion.js";
import type { RuleContext } from "./RuleContext.js";
import { RuleError } from "./RuleError.js";

/** A filter no document satisfies (kept in plain MQL so it can be pushed down to SQL). */
export const MATCH_NOTHING: Document = Object.freeze({
  _id: Object.freeze({ $in: Object.freeze([]) }),
});

export type ExpansionMode = "query" | "document";

const LOGICAL: Readonly<Record<string, string>> = {
  "%and": "$and",
  "%or": "$or",
  $and: "$and",
  $or: "$or",
  $nor: "$nor",
};
const OPERATOR_ALIASES: Readonly<Record<string, string>> = {
  "%exists": "$exists",
  "%in": "$in",
  "%nin": "$nin",
};

/** A reference to a field of the (absent) document, produced by `%%root.<path>` in query mode. */
class FieldRef {
  constructor(readonly path: string) {}
}

export async function expandFilter(expr: RuleExpression, ctx: RuleContext): Promise<Document> {
  return expandExpression(expr, ctx, "query");
}

export async function expandExpression(
  expr: RuleExpression,
  ctx: RuleContext,
  mode: ExpansionMode,
): Promise<Document> {
  if (expr === true) return {};
  if (expr === false) return MATCH_NOTHING;
  if (expr === null || typeof expr !== "object" || Array.isArray(expr)) {
    throw new RuleError(
      `a rule expression must be true, false or an object, not ${JSON.stringify(expr)}`,
    );
  }
  const clauses: Document[] = [];
  for (const [key, operand] of Object.entries(expr))
    clauses.push(await expandClause(key, operand, ctx, mode));
  return allOf(clauses);
}

async function expandClause(
  key: string,
  operand: unknown,
  ctx: RuleContext,
  mode: ExpansionMode,
): Promise<Document> {
  const logical = LOGICAL[key];
  if (logical !== undefined) {
    if (!Array.isArray(operand)) throw new RuleError(`${key} takes an array of expressions`);
    const parts = [];
    for (const part of operand)
      parts.push(await expandExpression(part as RuleExpression, ctx, mode));
    return { [logical]: parts };
  }
  if (isExpansion(key)) {
    const field = mode === "query" ? rootField(key) : undefined;
    if (field !== undefined) return { [field]: await expandOperand(operand, ctx, mode) };
    const lhs = resolveExpansion(key, ctx);
    const value = await expandOperand(operand, ctx, mode);
    // A known array "equals" a field when it contains the field's value, as in the document case.
    if (value instanceof FieldRef)
      return { [value.path]: Array.isArray(lhs) ? { $in: lhs } : (lhs ?? null) };
    return valueSatisfies(lhs, value) ? {} : MATCH_NOTHING;
  }
  const value = await expandOperand(operand, ctx, mode);
  if (value instanceof FieldRef) return { $expr: { $eq: [`$${key}`, `$${value.path}`] } };
  return { [key]: value };
}

/** Expands an operand: expansions, conversion operators, `%function`, operator aliases. */
async function expandOperand(
  operand: unknown,
  ctx: RuleContext,
  mode: ExpansionMode,
): Promise<unknown> {
  if (isExpansion(operand)) {
    const field = mode === "query" ? rootField(operand) : undefined;
    return field === undefined ? (resolveExpansion(operand, ctx) ?? null) : new FieldRef(field);
  }
  if (Array.isArray(operand)) {
    const items = [];
    for (const item of operand) items.push(await expandNested(item, ctx, mode));
    return items;
  }
  if (!isPlainObject(operand)) return operand;
  const entries = Object.entries(operand);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined && first[0] === "%function")
    return callFunction(first[1], ctx, mode);
  if (entries.length === 1 && first !== undefined && CONVERSIONS[first[0]] !== undefined) {
    return CONVERSIONS[first[0]]!(await expandNested(first[1], ctx, mode));
  }
  const out: Document = {};
  for (const [key, value] of entries) {
    const name = OPERATOR_ALIASES[key] ?? key;
    const expanded = await expandNested(value, ctx, mode);
    out[name] = name === "$in" || name === "$nin" ? asList(expanded) : expanded;
  }
  return out;
}

/** Inside arrays and operator objects a `%%root` reference has no field meaning: resolve it. */
async function expandNested(
  value: unknown,
  ctx: RuleContext,
  mode: ExpansionMode,
): Promise<unknown> {
  const expanded = await expandOperand(value, ctx, mode);
  if (expanded instanceof FieldRef) {
    throw new RuleError(
      `"%%root.${expanded.path}" can only be compared for equality when no document is at hand`,
    );
  }
  return expanded;
}

async function callFunction(
  spec: unknown,
  ctx: RuleContext,
  mode: ExpansionMode,
): Promise<unknown> {
  const call = spec as { name?: unknown; arguments?: unknown };
  if (ctx.callFunction === undefined || typeof call?.name !== "string") return false;
  const args = Array.isArray(call.arguments)
    ? ((await expandNested(call.arguments, ctx, mode)) as unknown[])
    : [];
  try {
    return await ctx.callFunction(call.name, args);
  } catch {
    return false;
  }
}

const CONVERSIONS: Readonly<Record<string, (value: unknown) => unknown>> = {
  "%stringToOid": (value) =>
    value instanceof ObjectId
      ? value
      : typeof value === "string" && ObjectId.isValid(value) && value.length === 24
        ? new ObjectId(value)
        : null,
  "%oidToString": (value) =>
    value instanceof ObjectId ? value.toHexString() : typeof value === "string" ? value : null,
  "%stringToUuid": (value) =>
    value instanceof UUID
      ? value
      : typeof value === "string" && UUID.isValid(value)
        ? new UUID(value)
        : null,
  "%uuidToString": (value) =>
    value instanceof UUID ? value.toHexString(true) : typeof value === "string" ? value : null,
};

function rootField(expansion: string): string | undefined {
  const { root, path } = splitExpansion(expansion);
  return root === "%%root" && path !== "" ? path : undefined;
}

function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === null || value === undefined ? [] : [value];
}

/** Whether a known value satisfies an operand: an operator object, or a value to equal. */
function valueSatisfies(value: unknown, operand: unknown): boolean {
  return matches(value === undefined ? {} : { v: value }, { v: operand });
}

function allOf(clauses: readonly Document[]): Document {
  if (clauses.includes(MATCH_NOTHING)) return MATCH_NOTHING;
  const useful = clauses.filter((clause) => Object.keys(clause).length > 0);
  if (useful.length === 0) return {};
  if (useful.length === 1) return useful[0]!;
  const keys = useful.flatMap((clause) => Object.keys(clause));
  if (new Set(keys).size === keys.length) return Object.assign({}, ...useful) as Document;
  return { $and: useful };
}

function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== "object") return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

import { Decimal128, Double } from "bson";
import type { BoundPath, BoundStep } from "../bind/bound.js";
import { RqlEvaluationError } from "../errors.js";
import type { EvalContext } from "./context.js";
import { bytesOf, compareValues, kindOf, toJsNumber } from "./values.js";

/** Where a path is evaluated: the caller's context and the subquery variables in scope. */
export interface PathEnvironment {
  context: EvalContext | undefined;
  variables: ReadonlyMap<string, unknown> | undefined;
}

/** Every value a path yields from `root`: one for a single-valued path (possibly null), any number through collections. */
export function pathValues(path: BoundPath, root: unknown, env: PathEnvironment): unknown[] {
  const start = path.variable === undefined ? root : env.variables?.get(path.variable);
  return applySteps(path.steps, [start], env);
}

function applySteps(
  steps: readonly BoundStep[],
  start: unknown[],
  env: PathEnvironment,
): unknown[] {
  let items = start;
  for (const step of steps) items = applyStep(step, items, env);
  return items;
}

function applyStep(step: BoundStep, items: unknown[], env: PathEnvironment): unknown[] {
  const out: unknown[] = [];
  for (const item of items) {
    switch (step.kind) {
      case "property": {
        let value =
          item === null || item === undefined
            ? null
            : ((item as Record<string, unknown>)[step.name] ?? null);
        if (step.unbox && value !== null && typeof value === "object") value = value.valueOf();
        if (!step.expand) out.push(value);
        else for (const element of elementsOf(value)) out.push(element);
        break;
      }
      case "key":
        out.push(valueAtKey(item, step.key));
        break;
      case "keys":
      case "values":
        for (const entry of dictionaryEntries(item))
          out.push(step.kind === "keys" ? entry[0] : entry[1]);
        break;
      case "backlinks":
        if (item !== null && typeof item === "object") {
          for (const source of step.sources)
            for (const origin of backlinksOf(item, source.fromClass, source.fromProperty, env))
              out.push(origin);
        }
        break;
      case "length":
        out.push(lengthOf(item));
        break;
      case "type":
        out.push(typeNameOf(item));
        break;
      case "aggregate":
        out.push(aggregate(step.name, applySteps(step.over, [item], env)));
        break;
    }
  }
  return out;
}

function elementsOf(value: unknown): Iterable<unknown> {
  if (value === null || value === undefined || typeof value !== "object") return [];
  if (Symbol.iterator in value) return value as Iterable<unknown>;
  if ("length" in value && typeof value.length === "number")
    return Array.from(value as ArrayLike<unknown>);
  return [];
}

function valueAtKey(item: unknown, key: string): unknown {
  if (item instanceof Map) return item.get(key) ?? null;
  if (item === null || typeof item !== "object" || Array.isArray(item)) return null;
  return Object.prototype.hasOwnProperty.call(item, key)
    ? ((item as Record<string, unknown>)[key] ?? null)
    : null;
}

function dictionaryEntries(item: unknown): Iterable<[string, unknown]> {
  if (item instanceof Map) return item as Map<string, unknown>;
  if (item === null || typeof item !== "object") return [];
  return Object.entries(item);
}

function backlinksOf(
  target: object,
  fromClass: string,
  fromProperty: string,
  env: PathEnvironment,
): Iterable<object> {
  if (env.context?.backlinks === undefined) {
    throw new RqlEvaluationError(
      `The query follows backlinks (${fromClass}.${fromProperty}); pass an EvalContext with backlinks()`,
    );
  }
  return env.context.backlinks(target, fromClass, fromProperty);
}

/** @size of one value: UTF-8 bytes of a string (as Realm counts), bytes of binary, entries of a collection. */
function lengthOf(value: unknown): number | null {
  switch (kindOf(value)) {
    case "string":
      return Buffer.byteLength(value as string, "utf8");
    case "binary":
      return bytesOf(value).length;
    case "list":
      return Array.from(value as Iterable<unknown>).length;
    case "dictionary":
      return (value as Map<unknown, unknown>).size;
    case "object":
      return Object.keys(value as object).length;
    default:
      return null;
  }
}

/** The canonical @type name of a value; JS numbers are "int" when whole, "double" otherwise. */
export function typeNameOf(value: unknown): string {
  const kind = kindOf(value);
  switch (kind) {
    case "number":
      if (typeof value === "number") return Number.isInteger(value) ? "int" : "double";
      return value instanceof Double ? "double" : "int";
    case "decimal":
      return "decimal";
    case "objectId":
      return "objectid";
    case "uuid":
      return "uuid";
    default:
      return kind;
  }
}

function aggregate(
  name: "count" | "size" | "sum" | "avg" | "min" | "max",
  values: unknown[],
): unknown {
  if (name === "count" || name === "size") return values.length;
  const present = values.filter((value) => kindOf(value) !== "null");
  if (name === "min" || name === "max") {
    let best: unknown = null;
    for (const value of present) {
      const order = best === null ? undefined : compareValues(value, best);
      if (
        best === null
          ? isOrderable(value)
          : order !== undefined && (name === "min" ? order < 0 : order > 0)
      )
        best = value;
    }
    return best;
  }
  const numbers = present.filter(
    (value) => kindOf(value) === "number" || kindOf(value) === "decimal",
  );
  if (name === "avg" && numbers.length === 0) return null;
  const sum = numbers.reduce<number>((total, value) => total + toJsNumber(value), 0);
  const result = name === "sum" ? sum : sum / numbers.length;
  // Decimal128 in, Decimal128 out (computed through doubles: exact decimal arithmetic is not provided).
  return numbers.some((value) => value instanceof Decimal128)
    ? Decimal128.fromString(String(result))
    : result;
}

function isOrderable(value: unknown): boolean {
  return compareValues(value, value) !== undefined;
}

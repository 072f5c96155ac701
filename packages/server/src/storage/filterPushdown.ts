/**
 * The part of a MongoDB filter a storage engine can push down to SQL, analysed once for every
 * SQL dialect. The result must admit a superset of what the filter admits (the caller
 * re-checks every document), so only conditions whose SQL meaning is at least as wide are
 * kept: on top-level fields (also inside `$and`, and `$or` when every branch narrows),
 * equality, `$eq`, `$in`, `$gt`, `$gte`, `$lt`, `$lte` against strings and finite numbers.
 * Renderers let a field holding an array (MongoDB matches its elements) or an object (every
 * EJSON-wrapped value: dates, ids, wide numbers) always through. Everything else is left to
 * the caller.
 */
import type { Document } from "../data/types.js";

export type PushdownScalar = string | number;

export type FieldTest =
  | { readonly op: "=" | ">" | ">=" | "<" | "<="; readonly value: PushdownScalar }
  | { readonly op: "in"; readonly values: readonly PushdownScalar[] };

/** A condition every document the filter admits satisfies. */
export type Pushdown =
  | { readonly kind: "all" | "any"; readonly of: readonly Pushdown[] }
  | { readonly kind: "field"; readonly field: string; readonly tests: readonly FieldTest[] };

const COMPARISONS: Readonly<Record<string, "=" | ">" | ">=" | "<" | "<=">> = {
  $eq: "=",
  $gt: ">",
  $gte: ">=",
  $lt: "<",
  $lte: "<=",
};
const MAX_IN = 500;

/** The pushable part of `filter` (a conjunction), or null when nothing narrows. */
export function analyseFilter(filter: Document | undefined): Pushdown | null {
  if (filter === undefined) return null;
  const parts: Pushdown[] = [];
  collect(filter, parts);
  if (parts.length === 0) return null;
  return { kind: "all", of: parts };
}

function collect(filter: Document, parts: Pushdown[]): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === "$and" && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) collect(clause, parts);
      continue;
    }
    if (key === "$or" && Array.isArray(value)) {
      // The union of per-branch supersets is a superset of the union: usable only when every
      // branch narrows something.
      const branches = value.map((clause) =>
        isPlainObject(clause) ? analyseFilter(clause) : null,
      );
      const narrowing = branches.filter((branch) => branch !== null);
      if (narrowing.length > 0 && narrowing.length === branches.length)
        parts.push({ kind: "any", of: narrowing });
      continue;
    }
    if (!isSimpleField(key)) continue;
    const tests = fieldTests(value);
    if (tests.length > 0) parts.push({ kind: "field", field: key, tests });
  }
}

function fieldTests(value: unknown): FieldTest[] {
  if (isScalar(value)) return [{ op: "=", value }];
  if (!isPlainObject(value)) return [];
  const out: FieldTest[] = [];
  for (const [operator, operand] of Object.entries(value)) {
    const op = COMPARISONS[operator];
    if (op !== undefined && isScalar(operand)) {
      out.push({ op, value: operand });
    } else if (
      operator === "$in" &&
      Array.isArray(operand) &&
      operand.length > 0 &&
      operand.length <= MAX_IN &&
      operand.every(isScalar)
    ) {
      out.push({ op: "in", values: operand });
    }
  }
  return out;
}

function isScalar(value: unknown): value is PushdownScalar {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

/** Field names that map to a JSON path without escaping, and are not operators. */
function isSimpleField(key: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key);
}

function isPlainObject(value: unknown): value is Document {
  return (
    value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype
  );
}

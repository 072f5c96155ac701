/**
 * Pushes the simple part of a MongoDB filter down to SQLite, so a scan decodes only the
 * documents that can match. The result must admit a superset of what the filter admits (the
 * caller re-checks every document), so only conditions whose SQL meaning is at least as wide
 * are translated: on top-level fields (also inside `$and`, and `$or` when every branch
 * narrows), equality, `$eq`, `$in`, `$gt`,
 * `$gte`, `$lt`, `$lte` against strings and finite numbers. A field holding an array (MongoDB
 * matches its elements) or an object (every EJSON-wrapped value: dates, ids, wide numbers) is
 * always let through. Everything else is left to the caller.
 */
import type { Document } from "../data/types.js";

export interface SqlCondition {
  readonly sql: string;
  readonly params: readonly (string | number)[];
}

const COMPARISONS: Readonly<Record<string, string>> = {
  $eq: "=",
  $gt: ">",
  $gte: ">=",
  $lt: "<",
  $lte: "<=",
};
const MAX_IN = 500;

export function pushdownCondition(filter: Document | undefined): SqlCondition | null {
  if (filter === undefined) return null;
  const parts: SqlCondition[] = [];
  collect(filter, parts);
  if (parts.length === 0) return null;
  return {
    sql: parts.map((p) => `(${p.sql})`).join(" AND "),
    params: parts.flatMap((p) => p.params),
  };
}

function collect(filter: Document, parts: SqlCondition[]): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === "$and" && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) collect(clause, parts);
      continue;
    }
    if (key === "$or" && Array.isArray(value)) {
      // The union of per-branch supersets is a superset of the union: usable only when every
      // branch narrows something.
      const branches = value.map((clause) =>
        isPlainObject(clause) ? pushdownCondition(clause) : null,
      );
      if (branches.length > 0 && branches.every((branch) => branch !== null)) {
        parts.push({
          sql: branches.map((b) => `(${b.sql})`).join(" OR "),
          params: branches.flatMap((b) => b.params),
        });
      }
      continue;
    }
    if (!isSimpleField(key)) continue;
    const path = `$."${key}"`;
    const conditions = fieldConditions(value);
    if (conditions.length === 0) continue;
    const test = conditions.map((c) => c.sql).join(" AND ");
    parts.push({
      sql: `json_type(body, ?) IN ('array', 'object') OR (${test.replaceAll("FIELD", "json_extract(body, ?)")})`,
      params: [path, ...conditions.flatMap((c) => [path, ...c.params])],
    });
  }
}

/** SQL tests on the placeholder FIELD for one field's condition. */
function fieldConditions(value: unknown): SqlCondition[] {
  if (isScalar(value)) return [{ sql: "FIELD = ?", params: [value] }];
  if (!isPlainObject(value)) return [];
  const out: SqlCondition[] = [];
  for (const [operator, operand] of Object.entries(value)) {
    const comparison = COMPARISONS[operator];
    if (comparison !== undefined && isScalar(operand)) {
      out.push({ sql: `FIELD ${comparison} ?`, params: [operand] });
    } else if (
      operator === "$in" &&
      Array.isArray(operand) &&
      operand.length > 0 &&
      operand.length <= MAX_IN &&
      operand.every(isScalar)
    ) {
      out.push({ sql: `FIELD IN (${operand.map(() => "?").join(", ")})`, params: operand });
    }
  }
  return out;
}

function isScalar(value: unknown): value is string | number {
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

/**
 * A scan's RQL hint (`ScanQuery.rql`) as one SQL condition: documents that at least one of
 * the queries matches. The RQL compiler gives exactly the evaluator's answer or refuses; when
 * any query is refused (or sorts or limits, which a predicate cannot express) the hint
 * narrows nothing, which is always correct. So does a condition too large for an SQL engine to
 * take (SQLite refuses expressions nested deeper than 1000, and a query may be deeply nested
 * or a long chain of ANDs): narrowing is an optimisation, never a reason for a scan to fail.
 */
import { compileToSql, RqlUnsupportedError } from "@atoll/rql";
import type { BoundQuery, SqlOptions } from "@atoll/rql";

export function rqlCondition(
  queries: readonly BoundQuery[] | undefined,
  options: SqlOptions,
): { readonly where: string; readonly params: readonly unknown[] } | null {
  const first = queries?.[0];
  if (queries === undefined || first === undefined) return null;
  if (queries.some((query) => query.ordering.length > 0)) return null;
  const union: BoundQuery = {
    ...first,
    predicate: { kind: "or", operands: queries.map((query) => query.predicate) },
    ordering: [],
  };
  let compiled: { where: string; params: unknown[] };
  try {
    compiled = compileToSql(union, options);
  } catch (error) {
    if (error instanceof RqlUnsupportedError || error instanceof RangeError) return null;
    throw error;
  }
  return fitsAnEngine(compiled.where, compiled.params.length) ? compiled : null;
}

const MAX_PARAMETERS = 500;
const MAX_NESTING = 100;
const MAX_CONNECTIVES = 300;

/** Whether a condition is small enough for every engine (a generous under-estimate of their limits). */
function fitsAnEngine(where: string, parameters: number): boolean {
  if (parameters > MAX_PARAMETERS) return false;
  let depth = 0;
  let deepest = 0;
  for (const char of where) {
    if (char === "(") deepest = Math.max(deepest, ++depth);
    else if (char === ")") depth--;
  }
  const connectives = where.split(/ (?:AND|OR) /).length - 1;
  return deepest <= MAX_NESTING && connectives <= MAX_CONNECTIVES;
}

/**
 * A scan's RQL hint (`ScanQuery.rql`) as one SQL condition: documents that at least one of
 * the queries matches. The RQL compiler gives exactly the evaluator's answer or refuses; when
 * any query is refused (or sorts or limits, which a predicate cannot express) the hint
 * narrows nothing, which is always correct.
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
  try {
    return compileToSql(union, options);
  } catch (error) {
    if (error instanceof RqlUnsupportedError) return null;
    throw error;
  }
}

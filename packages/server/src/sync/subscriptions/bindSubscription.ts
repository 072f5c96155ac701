/**
 * Checks a subscription query against what flexible sync serves and binds it. Allowed: RQL
 * over top-level queryable fields (`_id` always; the app's global and per-collection
 * queryable fields), comparisons, AND/OR/NOT, string operators, `IN` a list of constants,
 * `value IN listField`, `@count`/`@size` of a list field, TRUEPREDICATE/FALSEPREDICATE. Not
 * allowed: paths through links or embedded objects, other aggregates, subqueries, full-text search (TEXT),
 * list against list (refused by the binder), SORT/DISTINCT/LIMIT, asymmetric tables. The messages follow Atlas'.
 */
import {
  bindQuery,
  parseQuery,
  RqlError,
  type BoundExpression,
  type BoundPredicate,
  type BoundQuery,
  type PredicateNode,
} from "@atoll/rql";
import type { SyncModel } from "../syncSchema.js";
import { SubscriptionQueryError } from "./SubscriptionQueryError.js";

/** Atlas refuses subscription queries larger than 256 kB. */
export const MAX_SUBSCRIPTION_QUERY_BYTES = 256 * 1024;

const NO_FULL_TEXT = "full-text search (TEXT) is not supported in subscriptions";

export interface QueryableFields {
  readonly global: readonly string[];
  readonly byTable: Readonly<Record<string, readonly string[]>>;
}

export function bindSubscription(
  model: SyncModel,
  queryable: QueryableFields,
  table: string,
  query: string,
): BoundQuery {
  const fail = (why: string): never => {
    throw new SubscriptionQueryError(
      `Client provided query with bad syntax: unsupported query for table "${table}": ${why}`,
      {
        table,
        query,
      },
    );
  };
  const synced = model.tables.get(table);
  if (!synced) fail("the table is not synced");
  if (synced!.asymmetric) fail("asymmetric tables cannot be subscribed to");
  if (Buffer.byteLength(query) > MAX_SUBSCRIPTION_QUERY_BYTES)
    fail(`the query is larger than ${MAX_SUBSCRIPTION_QUERY_BYTES} bytes`);

  let bound: BoundQuery;
  try {
    const ast = parseQuery(query);
    // Checked before binding: the synced schema declares no full-text index, which would hide why.
    if (usesFullText(ast.predicate)) fail(NO_FULL_TEXT);
    bound = bindQuery(ast, model.schema, table);
  } catch (error) {
    if (!(error instanceof RqlError)) throw error;
    throw new SubscriptionQueryError(`Client provided query with bad syntax: ${error.message}`, {
      table,
      query,
    });
  }
  if (bound.ordering.length > 0)
    fail("SORT, DISTINCT and LIMIT are not supported in subscriptions");
  const allowed = new Set(["_id", ...queryable.global, ...(queryable.byTable[table] ?? [])]);
  checkPredicate(bound.predicate, allowed, fail);
  return bound;
}

function checkPredicate(
  predicate: BoundPredicate,
  allowed: ReadonlySet<string>,
  fail: (why: string) => never,
): void {
  switch (predicate.kind) {
    case "and":
    case "or":
      predicate.operands.forEach((operand) => checkPredicate(operand, allowed, fail));
      return;
    case "not":
      checkPredicate(predicate.operand, allowed, fail);
      return;
    case "truth":
      return;
    case "fullText":
      return fail(NO_FULL_TEXT);
    case "comparison": {
      // (list against list is refused by the binder already)
      checkExpression(predicate.left, allowed, fail);
      checkExpression(predicate.right, allowed, fail);
      return;
    }
  }
}

function checkExpression(
  expression: BoundExpression,
  allowed: ReadonlySet<string>,
  fail: (why: string) => never,
): void {
  if (expression.kind === "constant" || expression.kind === "list") return;
  if (expression.kind === "subqueryCount") return fail("SUBQUERY is not supported");
  const [first, ...rest] = expression.steps;
  // `list.@count` / `list.@size` binds as one aggregate step over the list property.
  const counted =
    first?.kind === "aggregate" && (first.name === "count" || first.name === "size")
      ? first.over
      : undefined;
  const [property, ...deeper] = counted ?? [first];
  if (expression.variable !== undefined || property?.kind !== "property")
    return fail(`key "${expression.text}" is not supported`);
  if (!allowed.has(property.name)) return fail(`key "${property.name}" is not a queryable field`);
  if (rest.length > 0 || deeper.length > 0 || (counted && !property.expand)) {
    fail(
      `key "${expression.text}": paths through links, embedded objects or aggregates other than @count are not supported`,
    );
  }
}

function usesFullText(predicate: PredicateNode): boolean {
  switch (predicate.kind) {
    case "and":
    case "or":
      return predicate.operands.some(usesFullText);
    case "not":
      return usesFullText(predicate.operand);
    case "fullText":
      return true;
    default:
      return false;
  }
}

/**
 * A subscription set (`{Type: rql}`, one query per type, several joined with OR by the
 * client) bound for a session's view. Any table's failure refuses the whole set with the
 * binder's `bad_query` (226) error, so the session keeps its previous set.
 */
import type { BoundQuery } from "@atoll/rql";
import type { ViewQueries } from "../bootstrap/viewChanges.js";
import { bindSubscription, type QueryableFields } from "../subscriptions/bindSubscription.js";
import type { SyncModel } from "../syncSchema.js";

export function bindQuerySet(
  model: SyncModel,
  queryable: QueryableFields,
  query: Readonly<Record<string, string>>,
): ViewQueries {
  const out = new Map<string, readonly BoundQuery[]>();
  for (const [table, rql] of Object.entries(query)) {
    out.set(table, [bindSubscription(model, queryable, table, rql)]);
  }
  return out;
}

/**
 * The server state a bootstrap is computed from: the documents of the tables a subscription
 * change concerns, read while the app's sync lock is held, together with the server version
 * they are the state of (contract rule 6). The lock is released as soon as the snapshot is
 * taken: building and sending the batches happens outside it, so uploads of other devices are
 * not held up by a large bootstrap, and the entries appended meanwhile reach the session as
 * ordinary catch-up after the snapshot's version. Only documents that some subscription of
 * the views compared can admit are kept: the engine narrows its scan by those queries (a
 * superset, re-checked by the view difference), reading the table a page at a time.
 */
import type { BoundQuery } from "@atoll/rql";
import type { Document } from "../../data/types.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import type { SyncModel } from "../syncSchema.js";

export interface ViewSnapshot {
  /** The server version whose state the documents are. */
  readonly version: number;
  /** Documents per synced table (asymmetric tables are never part of a view). */
  readonly tables: ReadonlyMap<string, readonly Document[]>;
}

/**
 * Reads `tables`, keeping the documents a query of `views` (subscriptions per table, before
 * and after the change) may admit; the caller holds the sync lock and has recorded pending
 * external writes.
 */
export async function takeViewSnapshot(
  storage: StorageEngine,
  model: SyncModel,
  tables: Iterable<string>,
  version: number,
  views: readonly ReadonlyMap<string, readonly BoundQuery[]>[],
): Promise<ViewSnapshot> {
  const out = new Map<string, Document[]>();
  for (const table of tables) {
    const synced = model.tables.get(table);
    if (!synced || synced.asymmetric) continue;
    const rql = views.flatMap((view) => view.get(table) ?? []);
    const docs: Document[] = [];
    for await (const page of storage.scanStream(
      { db: synced.database, coll: synced.collection },
      { rql },
    ))
      for (const { doc } of page) docs.push(doc);
    out.set(table, docs);
  }
  return { version, tables: out };
}

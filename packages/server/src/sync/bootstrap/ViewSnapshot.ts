/**
 * The server state a bootstrap is computed from: the documents of the tables a subscription
 * change concerns, read while the app's sync lock is held, together with the server version
 * they are the state of (contract rule 6). The lock is released as soon as the snapshot is
 * taken: building and sending the batches happens outside it, so uploads of other devices are
 * not held up by a large bootstrap, and the entries appended meanwhile reach the session as
 * ordinary catch-up after the snapshot's version.
 */
import type { Document } from "../../data/types.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import type { SyncModel } from "../syncSchema.js";

export interface ViewSnapshot {
  /** The server version whose state the documents are. */
  readonly version: number;
  /** Documents per synced table (asymmetric tables are never part of a view). */
  readonly tables: ReadonlyMap<string, readonly Document[]>;
}

/** Reads `tables`; the caller holds the sync lock and has recorded pending external writes. */
export async function takeViewSnapshot(
  storage: StorageEngine,
  model: SyncModel,
  tables: Iterable<string>,
  version: number,
): Promise<ViewSnapshot> {
  const out = new Map<string, Document[]>();
  for (const table of tables) {
    const synced = model.tables.get(table);
    if (!synced || synced.asymmetric) continue;
    const stored = await storage.scan({ db: synced.database, coll: synced.collection });
    out.set(
      table,
      stored.map(({ doc }) => doc),
    );
  }
  return { version, tables: out };
}

/**
 * What a client must receive when its subscription set changes: every object that enters
 * its view (created whole) and an erase for every object that leaves it (removed from the
 * device only, never from the server). Both views are evaluated on the current server state,
 * which the client has caught up with before a new set is bootstrapped. Results come in
 * batches of whole objects, so the client can apply each bootstrap atomically while the
 * server never holds more than a batch.
 */
import type { Instruction } from "@atoll/protocol";
import type { BoundQuery } from "@atoll/rql";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { instructionsForDocument, primaryKeyOf } from "../documentInstructions.js";
import type { SessionPermissions } from "../permissions/SessionPermissions.js";
import type { SyncModel } from "../syncSchema.js";

/** A session's subscriptions, bound, per table. */
export type ViewQueries = ReadonlyMap<string, readonly BoundQuery[]>;

export interface ViewChangeBatch {
  readonly instructions: Instruction[];
  readonly entered: number;
  readonly left: number;
}

export async function* viewChanges(options: {
  readonly storage: StorageEngine;
  readonly model: SyncModel;
  readonly permissions: SessionPermissions;
  readonly before: ViewQueries;
  readonly after: ViewQueries;
  /** Objects per batch. */
  readonly batchSize: number;
}): AsyncGenerator<ViewChangeBatch> {
  const { storage, model, permissions, before, after, batchSize } = options;
  let batch: ViewChangeBatch = { instructions: [], entered: 0, left: 0 };
  const tables = new Set([...before.keys(), ...after.keys()]);
  for (const table of tables) {
    const synced = model.tables.get(table);
    if (!synced || synced.asymmetric) continue;
    const was = before.get(table) ?? [];
    const now = after.get(table) ?? [];
    for (const { doc } of await storage.scan({ db: synced.database, coll: synced.collection })) {
      const inBefore = was.length > 0 && permissions.inView(table, doc, was);
      const inAfter = now.length > 0 && permissions.inView(table, doc, now);
      if (inBefore === inAfter) continue;
      if (inAfter) {
        batch.instructions.push(...instructionsForDocument(model.schema, table, doc));
        batch = { ...batch, entered: batch.entered + 1 };
      } else {
        batch.instructions.push({ type: "EraseObject", table, pk: primaryKeyOf(doc._id) });
        batch = { ...batch, left: batch.left + 1 };
      }
      if (batch.entered + batch.left >= batchSize) {
        yield batch;
        batch = { instructions: [], entered: 0, left: 0 };
      }
    }
  }
  if (batch.instructions.length > 0) yield batch;
}

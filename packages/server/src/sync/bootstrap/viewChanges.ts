/**
 * What a client must receive when its subscription set changes: every object that enters
 * its view (created whole) and an erase for every object that leaves it (removed from the
 * device only, never from the server). Both views are evaluated on one snapshot of the server
 * state (`ViewSnapshot`), taken at the version the client has caught up with. Results come in
 * batches of whole objects, built one at a time as the sender asks for them, so the client
 * can apply each bootstrap atomically while the server holds the encoded form of one batch only.
 */
import type { Instruction } from "@atoll/protocol";
import type { BoundQuery } from "@atoll/rql";
import { instructionsForDocument, primaryKeyOf } from "../documentInstructions.js";
import type { SessionPermissions } from "../permissions/SessionPermissions.js";
import type { SyncModel } from "../syncSchema.js";
import type { ViewSnapshot } from "./ViewSnapshot.js";

/** A session's subscriptions, bound, per table. */
export type ViewQueries = ReadonlyMap<string, readonly BoundQuery[]>;

export interface ViewChangeBatch {
  readonly instructions: Instruction[];
  readonly entered: number;
  readonly left: number;
}

/**
 * A batch's instructions as two batches of whole objects, cut at the object start nearest the
 * middle (every object of a batch starts with its CreateObject, or is one EraseObject);
 * undefined when the batch holds a single object.
 */
export function splitBetweenObjects(
  instructions: readonly Instruction[],
): [Instruction[], Instruction[]] | undefined {
  const middle = instructions.length >> 1;
  for (let distance = 0; distance <= middle; distance++) {
    for (const at of [middle - distance, middle + distance]) {
      const type = instructions[at]?.type;
      if (at > 0 && (type === "CreateObject" || type === "EraseObject"))
        return [instructions.slice(0, at), instructions.slice(at)];
    }
  }
  return undefined;
}

/** The tables whose objects may enter or leave the view when `before` becomes `after`. */
export function changedTables(before: ViewQueries, after: ViewQueries): string[] {
  return [...new Set([...before.keys(), ...after.keys()])];
}

export function* viewChanges(options: {
  readonly snapshot: ViewSnapshot;
  readonly model: SyncModel;
  readonly permissions: SessionPermissions;
  readonly before: ViewQueries;
  readonly after: ViewQueries;
  /** Objects per batch. */
  readonly batchSize: number;
}): Generator<ViewChangeBatch> {
  const { snapshot, model, permissions, before, after, batchSize } = options;
  let instructions: Instruction[] = [];
  let entered = 0;
  let left = 0;
  for (const [table, docs] of snapshot.tables) {
    const was = before.get(table) ?? [];
    const now = after.get(table) ?? [];
    for (const doc of docs) {
      const inBefore = was.length > 0 && permissions.inView(table, doc, was);
      const inAfter = now.length > 0 && permissions.inView(table, doc, now);
      if (inBefore === inAfter) continue;
      if (inAfter) {
        for (const instruction of instructionsForDocument(model.schema, table, doc))
          instructions.push(instruction);
        entered++;
      } else {
        instructions.push({ type: "EraseObject", table, pk: primaryKeyOf(doc._id) });
        left++;
      }
      if (entered + left >= batchSize) {
        yield { instructions, entered, left };
        instructions = [];
        entered = left = 0;
      }
    }
  }
  if (instructions.length > 0) yield { instructions, entered, left };
}

/**
 * The list-length limit, checked on each object as the upload leaves it (the stored object
 * with the upload's instructions replayed on it, as the rules judge it): every list or set an
 * insert of the upload grows must hold at most `maxListLength` elements. Concurrent inserts
 * merged in later may add a few more; the bound is on what one upload may grow a list to.
 */
import type { Document } from "../../data/types.js";
import type { ObjectInstructions } from "../groupByObject.js";
import { valueAt } from "../documentPatch.js";
import type { SyncLimits } from "./syncLimits.js";
import { UploadRefusal } from "./UploadRefusal.js";

export function checkListLengths(
  objects: ReadonlyMap<string, ObjectInstructions>,
  after: ReadonlyMap<string, Document | undefined>,
  limits: SyncLimits,
  clientVersion: number,
): void {
  for (const [key, { table, pk, instructions }] of objects) {
    const doc = after.get(key);
    if (doc === undefined) continue;
    const seen = new Set<string>();
    for (const instruction of instructions) {
      if (instruction.type !== "ArrayInsert" && instruction.type !== "SetInsert") continue;
      const list =
        instruction.type === "ArrayInsert" ? instruction.path.slice(0, -1) : instruction.path;
      const id = JSON.stringify(list);
      if (seen.has(id)) continue;
      seen.add(id);
      const value = valueAt(doc, list);
      if (Array.isArray(value) && value.length > limits.maxListLength) {
        throw UploadRefusal.limit(
          `the list ${id} of ${table} ${String(pk)} would hold ${value.length} elements, more than the ${limits.maxListLength} allowed`,
        ).toProtocolError(clientVersion);
      }
    }
  }
}

/**
 * Groups a changeset's instructions by the object they touch (table + primary key), keeping
 * each object's instructions in changeset order and the objects in order of first touch.
 * Judging an upload, finding corrections and fanning an entry out all work per object.
 */
import type { Instruction, PrimaryKey } from "@atoll/protocol";
import { objectKey } from "./merge/integrateUpload.js";

export interface ObjectInstructions {
  readonly table: string;
  readonly pk: PrimaryKey;
  readonly instructions: Instruction[];
}

/** Keyed by `objectKey(table, pk)`. */
export function groupByObject(
  instructions: readonly Instruction[],
): Map<string, ObjectInstructions> {
  const out = new Map<string, ObjectInstructions>();
  for (const instruction of instructions) {
    const key = objectKey(instruction.table, instruction.pk);
    let group = out.get(key);
    if (!group) {
      group = { table: instruction.table, pk: instruction.pk, instructions: [] };
      out.set(key, group);
    }
    group.instructions.push(instruction);
  }
  return out;
}

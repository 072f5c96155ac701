/**
 * Which objects of an upload the origin must be corrected on: every object whose effective
 * instructions (what entered history) differ from what the client uploaded, because a write
 * was rejected (compensating write), lost a last-writer-wins conflict, had a list index
 * shifted or an addition folded. The correction is the object's whole state after the entry
 * for the origin's view (or its erasure), so the client converges whatever it had applied.
 */
import type { Instruction, PrimaryKey } from "@atoll/protocol";
import type { Document } from "../../data/types.js";
import { bsonEquals } from "../bsonEquals.js";
import { objectKey } from "../merge/integrateUpload.js";

export type RestoreObject = (
  table: string,
  pk: PrimaryKey,
  after: Document | undefined,
) => Instruction[];

function byObject(
  instructions: readonly Instruction[],
): Map<string, { table: string; pk: PrimaryKey; instructions: Instruction[] }> {
  const out = new Map<string, { table: string; pk: PrimaryKey; instructions: Instruction[] }>();
  for (const instruction of instructions) {
    const key = objectKey(instruction.table, instruction.pk);
    const entry = out.get(key) ?? {
      table: instruction.table,
      pk: instruction.pk,
      instructions: [],
    };
    entry.instructions.push(instruction);
    out.set(key, entry);
  }
  return out;
}

export function correctionsFor(
  uploaded: readonly Instruction[],
  effective: readonly Instruction[],
  afterOf: (key: string) => Document | undefined,
  restore: RestoreObject,
): Instruction[] {
  const merged = byObject(effective);
  const out: Instruction[] = [];
  for (const [key, { table, pk, instructions }] of byObject(uploaded)) {
    const applied = merged.get(key)?.instructions ?? [];
    const same =
      applied.length === instructions.length &&
      applied.every((instruction, i) => bsonEquals(instruction, instructions[i]));
    if (!same) out.push(...restore(table, pk, afterOf(key)));
  }
  return out;
}

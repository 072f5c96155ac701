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
import type { ObjectInstructions } from "../groupByObject.js";

export type RestoreObject = (
  table: string,
  pk: PrimaryKey,
  after: Document | undefined,
) => Instruction[];

/**
 * `uploaded`: the upload by object (`groupByObject`); `effectiveOf`: what entered history for
 * an object. An object whose effective instructions are the very uploaded ones (a fresh
 * insert) needs no comparison.
 */
export function correctionsFor(
  uploaded: ReadonlyMap<string, ObjectInstructions>,
  effectiveOf: (key: string) => readonly Instruction[] | undefined,
  afterOf: (key: string) => Document | undefined,
  restore: RestoreObject,
): Instruction[] {
  const out: Instruction[] = [];
  for (const [key, { table, pk, instructions }] of uploaded) {
    const applied = effectiveOf(key) ?? [];
    const same =
      applied === instructions ||
      (applied.length === instructions.length &&
        applied.every((instruction, i) => bsonEquals(instruction, instructions[i])));
    if (!same) out.push(...restore(table, pk, afterOf(key)));
  }
  return out;
}

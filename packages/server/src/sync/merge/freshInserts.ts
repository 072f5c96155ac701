/**
 * Data ingest without merging (contract rule 8). An object of an insert-only (asymmetric)
 * table is never sent to anyone and never written by anyone but its creator, so an upload
 * that creates it new has nothing to merge with: it is inserted as uploaded, with no merge
 * metadata and no instructions kept in history. This is exactly what `integrateUpload` makes
 * of such an object on no metadata (every field write on a fresh object by its own creator
 * wins, nothing is transformed); any other write to an asymmetric object (a create of one
 * that exists, an erase, a list position) takes the general path, with merge metadata.
 *
 * The one difference from merging everything: a fresh insert leaves no field clocks, so a
 * create of the same primary key by another file that had not seen the insert (a concurrent
 * duplicate, which ObjectId keys make practically impossible) overwrites the fields it writes
 * whatever its timestamp, where a merge would keep the newer value of each field.
 */
import type { Instruction, PrimaryKey } from "@atoll/protocol";
import type { Document } from "../../data/types.js";
import { applyToDocument } from "../documentPatch.js";
import { objectKey } from "./integrateUpload.js";
import { isListInstruction } from "./listTransform.js";

export interface FreshInsert {
  readonly table: string;
  readonly pk: PrimaryKey;
  readonly instructions: Instruction[];
  /** The object as the upload creates it. */
  readonly doc: Document;
}

export interface SeparatedUpload {
  /** By `objectKey`, in order of first touch. */
  readonly inserts: Map<string, FreshInsert>;
  /** Every other instruction, in upload order: integrated by `integrateUpload`. */
  readonly merged: Instruction[];
  /** Every object's key in order of first touch (the order its writes are made in). */
  readonly order: string[];
}

/**
 * Splits an upload into fresh inserts into `insertOnly` tables (objects `exists` says are not
 * stored) and the rest. `created`: the object as its instructions create it, when already known.
 */
export function separateFreshInserts(
  instructions: readonly Instruction[],
  insertOnly: (table: string) => boolean,
  exists: (key: string) => boolean,
  created: (key: string) => Document | undefined = () => undefined,
): SeparatedUpload {
  const keys: string[] = [];
  const touched = new Set<string>();
  const candidates = new Map<string, Instruction[] | null>();
  for (const instruction of instructions) {
    const key = objectKey(instruction.table, instruction.pk);
    keys.push(key);
    touched.add(key);
    if (!insertOnly(instruction.table)) continue;
    const own = candidates.get(key);
    if (own === null) continue;
    if (own === undefined) {
      const fresh = instruction.type === "CreateObject" && !exists(key);
      candidates.set(key, fresh ? [instruction] : null);
    } else if (writesField(instruction)) own.push(instruction);
    else candidates.set(key, null);
  }
  const inserts = new Map<string, FreshInsert>();
  for (const [key, own] of candidates) {
    if (own === null || own === undefined) continue;
    const { table, pk } = own[0]!;
    let doc = created(key);
    if (doc === undefined) for (const instruction of own) doc = applyToDocument(doc, instruction);
    inserts.set(key, { table, pk, instructions: own, doc: doc! });
  }
  const merged =
    inserts.size === 0 ? [...instructions] : instructions.filter((_, i) => !inserts.has(keys[i]!));
  return { inserts, merged, order: [...touched] };
}

/** A write to a field of an object that exists: neither a create, an erase nor a list position. */
function writesField(instruction: Instruction): boolean {
  return (
    instruction.type !== "CreateObject" &&
    instruction.type !== "EraseObject" &&
    !isListInstruction(instruction)
  );
}

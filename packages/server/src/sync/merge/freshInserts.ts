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
import { replayOnDocument } from "../documentPatch.js";
import type { ObjectInstructions } from "../groupByObject.js";
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
 * Splits an upload (`objects`: its `groupByObject`) into fresh inserts into `insertOnly` tables
 * (objects `exists` says are not stored) and the rest. `created`: the object as its
 * instructions create it, when already known.
 */
export function separateFreshInserts(
  instructions: readonly Instruction[],
  objects: ReadonlyMap<string, ObjectInstructions>,
  insertOnly: (table: string) => boolean,
  exists: (key: string) => boolean,
  created: (key: string) => Document | undefined = () => undefined,
): SeparatedUpload {
  const inserts = new Map<string, FreshInsert>();
  for (const [key, { table, pk, instructions: own }] of objects) {
    if (!insertOnly(table) || !createsFresh(own) || exists(key)) continue;
    const doc = created(key) ?? replayOnDocument(undefined, own);
    inserts.set(key, { table, pk, instructions: own, doc: doc! });
  }
  return { inserts, merged: withoutObjects(instructions, inserts), order: [...objects.keys()] };
}

/** Whether an object's instructions create it and then only write its fields. */
export function createsFresh(own: readonly Instruction[]): boolean {
  if (own[0]?.type !== "CreateObject") return false;
  for (let i = 1; i < own.length; i++) if (!writesField(own[i]!)) return false;
  return true;
}

/** The instructions not on `inserts`' objects, in upload order. */
function withoutObjects(
  instructions: readonly Instruction[],
  inserts: ReadonlyMap<string, FreshInsert>,
): Instruction[] {
  if (inserts.size === 0) return [...instructions];
  let count = 0;
  for (const insert of inserts.values()) count += insert.instructions.length;
  if (count === instructions.length) return [];
  const inserted = new Set<Instruction>();
  for (const insert of inserts.values()) for (const i of insert.instructions) inserted.add(i);
  return instructions.filter((instruction) => !inserted.has(instruction));
}

/** A write to a field of an object that exists: neither a create, an erase nor a list position. */
function writesField(instruction: Instruction): boolean {
  return (
    instruction.type !== "CreateObject" &&
    instruction.type !== "EraseObject" &&
    !isListInstruction(instruction)
  );
}

/**
 * What one session receives for one history entry (contract rule 4). The origin gets only
 * the entry's corrections. Everyone else gets, per object the entry changed, decided on the
 * object's server document before and after the entry against the session's view: the
 * entry's own instructions (in view before and after), the whole object (entering the view),
 * an erase (leaving it, removed from the device only), or nothing.
 */
import type { Instruction, PrimaryKey } from "@atoll/protocol";
import type { RqlSchema } from "@atoll/rql";
import type { Document } from "../../data/types.js";
import { instructionsForDocument } from "../documentInstructions.js";
import type { SyncEntry } from "../history/historyEntries.js";
import { objectKey } from "../merge/integrateUpload.js";

export interface SessionView {
  readonly clientFileIdent: number;
  readonly schema: RqlSchema;
  /** Read filter of the session's role AND any of its subscription queries for the table. */
  inView(table: string, doc: Document): boolean;
}

/** An entry's instructions grouped by object, computed once per entry however many sessions read it. */
const grouped = new WeakMap<SyncEntry, Map<string, Instruction[]>>();

function instructionsByObject(entry: SyncEntry): Map<string, Instruction[]> {
  let byObject = grouped.get(entry);
  if (byObject) return byObject;
  byObject = new Map();
  for (const instruction of entry.instructions) {
    const key = objectKey(instruction.table, instruction.pk);
    const list = byObject.get(key);
    if (list) list.push(instruction);
    else byObject.set(key, [instruction]);
  }
  grouped.set(entry, byObject);
  return byObject;
}

export function entryForSession(entry: SyncEntry, view: SessionView): Instruction[] {
  if (entry.originIdent === view.clientFileIdent) return [...entry.corrections];
  const out: Instruction[] = [];
  for (const object of entry.objects) {
    const wasIn = object.before !== undefined && view.inView(object.table, object.before);
    const isIn = object.after !== undefined && view.inView(object.table, object.after);
    if (wasIn && isIn) {
      out.push(...(instructionsByObject(entry).get(objectKey(object.table, object.pk)) ?? []));
    } else if (isIn) {
      out.push(...instructionsForDocument(view.schema, object.table, object.after));
    } else if (wasIn) {
      out.push(erase(object.table, object.pk));
    }
  }
  return out;
}

export function erase(table: string, pk: PrimaryKey): Instruction {
  return { type: "EraseObject", table, pk };
}

/** Storage writes shared by everything that appends to sync history. */
import { StorageError } from "../../storage/StorageError.js";
import type { StoredDocument, WriteOp } from "../../storage/StorageEngine.js";
import { entryToDocument, type NewEntry } from "./historyEntries.js";
import { COUNTERS, HISTORY } from "./syncNamespaces.js";

/** Sets a counter to `value`, conditional on the version it was read at (or its absence). */
export function counterOp(name: string, value: number, current: StoredDocument | null): WriteOp {
  return current
    ? { kind: "replace", ns: COUNTERS, doc: { _id: name, value }, expectedVersion: current.version }
    : { kind: "insert", ns: COUNTERS, doc: { _id: name, value } };
}

export function counterValue(stored: StoredDocument | null): number {
  return (stored?.doc.value as number | undefined) ?? 0;
}

/** The insert of history entry `version`. */
export function historyEntryOp(entry: NewEntry): WriteOp {
  return { kind: "insert", ns: HISTORY, doc: entryToDocument(entry) };
}

/** Another writer won the race for a version or a document: read again and retry. */
export function isConflict(error: unknown): boolean {
  return (
    error instanceof StorageError && (error.code === "Conflict" || error.code === "DuplicateKey")
  );
}

export const MAX_ATTEMPTS = 20;

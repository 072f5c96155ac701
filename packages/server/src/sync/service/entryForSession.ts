/**
 * What one session receives for one history entry (contract rule 4). The origin gets the
 * entry's corrections, then, for each object the entry moved from outside its view into it,
 * the whole object after an erase: the device no longer holds it, since the download that
 * moved it out came first and the rebase dropped the device's own write along with it. An
 * object the origin holds after all is replaced by the same state. Everyone else gets, per object the entry changed, decided on the
 * object's server document before and after the entry against the session's view: the
 * entry's own instructions (in view before and after), the whole object (entering the view),
 * an erase (leaving it, removed from the device only), or nothing.
 *
 * Fan-out stays cheap with many sessions: the encoded changeset is memoised per entry and per
 * combination of decisions, so sessions with the same outcome share one encoding.
 */
import { encodeChangeset, type Instruction, type PrimaryKey } from "@atoll/protocol";
import type { RqlSchema } from "@atoll/rql";
import type { Document } from "../../data/types.js";
import { instructionsForDocument } from "../documentInstructions.js";
import type { SyncEntry } from "../history/historyEntries.js";
import { groupByObject, type ObjectInstructions } from "../groupByObject.js";
import { objectKey } from "../merge/integrateUpload.js";

export interface SessionView {
  readonly clientFileIdent: number;
  readonly schema: RqlSchema;
  /** Read filter of the session's role AND any of its subscription queries for the table. */
  inView(table: string, doc: Document): boolean;
}

/** Per object: the entry's instructions, the whole object, an erase, or nothing. */
const SAME = "s";
const WHOLE = "w";
const ERASE = "e";
const NONE = "n";
/** Prefix of the origin's decisions: per object, WHOLE (back into its view) or NONE. */
const OWN = "o";

interface EntryMemo {
  byObject?: Map<string, ObjectInstructions>;
  /** Encoded changeset (null: nothing to send) by decision signature. */
  readonly encoded: Map<string, Uint8Array | null>;
}

const memos = new WeakMap<SyncEntry, EntryMemo>();

function memoOf(entry: SyncEntry): EntryMemo {
  let memo = memos.get(entry);
  if (!memo) {
    memo = { encoded: new Map() };
    memos.set(entry, memo);
  }
  return memo;
}

function instructionsByObject(entry: SyncEntry, memo: EntryMemo): Map<string, ObjectInstructions> {
  memo.byObject ??= groupByObject(entry.instructions);
  return memo.byObject;
}

/** The encoded changeset this session receives for `entry`, or undefined when nothing is left. */
export function changesetForSession(entry: SyncEntry, view: SessionView): Uint8Array | undefined {
  const memo = memoOf(entry);
  const own = entry.originIdent === view.clientFileIdent;
  const decisions = own
    ? OWN + entry.objects.map((object) => (movedIntoView(object, view) ? WHOLE : NONE)).join("")
    : entry.objects
        .map((object) => {
          const wasIn = object.before !== undefined && view.inView(object.table, object.before);
          const isIn = object.after !== undefined && view.inView(object.table, object.after);
          return wasIn && isIn ? SAME : isIn ? WHOLE : wasIn ? ERASE : NONE;
        })
        .join("");
  let encoded = memo.encoded.get(decisions);
  if (encoded === undefined) {
    const instructions = own
      ? [...entry.corrections, ...backIntoView(entry, decisions.slice(OWN.length), view)]
      : instructionsFor(entry, decisions, view, memo);
    encoded = instructions.length === 0 ? null : encodeChangeset(instructions);
    memo.encoded.set(decisions, encoded);
  }
  return encoded ?? undefined;
}

/** An object that existed outside the view before the entry and is inside it after. */
function movedIntoView(object: SyncEntry["objects"][number], view: SessionView): boolean {
  return (
    object.before !== undefined &&
    object.after !== undefined &&
    !view.inView(object.table, object.before) &&
    view.inView(object.table, object.after)
  );
}

/** For the origin: an erase and the whole object, per object its entry moved into its view. */
function backIntoView(entry: SyncEntry, decisions: string, view: SessionView): Instruction[] {
  return entry.objects.flatMap((object, i) =>
    decisions[i] === WHOLE
      ? [
          erase(object.table, object.pk),
          ...instructionsForDocument(view.schema, object.table, object.after!),
        ]
      : [],
  );
}

function instructionsFor(
  entry: SyncEntry,
  decisions: string,
  view: SessionView,
  memo: EntryMemo,
): Instruction[] {
  const out: Instruction[] = [];
  entry.objects.forEach((object, i) => {
    switch (decisions[i]) {
      case SAME:
        out.push(
          ...(instructionsByObject(entry, memo).get(objectKey(object.table, object.pk))
            ?.instructions ?? []),
        );
        return;
      case WHOLE:
        out.push(...instructionsForDocument(view.schema, object.table, object.after!));
        return;
      case ERASE:
        out.push(erase(object.table, object.pk));
        return;
    }
  });
  return out;
}

export function erase(table: string, pk: PrimaryKey): Instruction {
  return { type: "EraseObject", table, pk };
}

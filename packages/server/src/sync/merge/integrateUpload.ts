/**
 * Server-side integration of one uploaded changeset: decides every conflict and returns the
 * effective instructions (what enters history and what other clients receive) with the new
 * state of each object touched. Deterministic: the outcome depends only on the current state,
 * the upload and the changes integrated concurrently with it.
 *
 * Rules (contract rule 3 in docs/sync-contract.md, modelled on realm-core's merge rules):
 * - per field, last writer wins by (timestamp, file ident) among concurrent writes; a write
 *   the uploader had already seen is always overwritten;
 * - an erase wins over concurrent writes to the object, and over a concurrent re-create;
 *   of two concurrent erases the later wins (and erases the object again if it was re-created);
 * - integer additions merge; an addition newer than a concurrent write is folded into it;
 * - concurrent list inserts are all kept, at positions shifted by what happened meanwhile;
 * - a mixed value set to a new list or dictionary wins over concurrent changes inside the
 *   value it replaced, whatever their timestamps, and a change inside a nested collection is
 *   dropped when a concurrent write replaced that collection (or a value holding it) or left
 *   its path leading nowhere.
 *   a list clear wins over concurrent changes inside the list, and the later of two
 *   concurrent clears wins (realm-core's rules, see `ListTransformer`).
 * Dropped instructions are conflict losses, not rejections: the uploader converges on the
 * winner through its rebase. (Permission and view checks happen before integration.)
 */
import { nestedCollectionOf, type Instruction, type Path, type PrimaryKey } from "@atoll/protocol";
import { Long, ObjectId } from "bson";
import type { Document } from "../../data/types.js";
import { applyToDocument, placeInList, valueAt, type OwnedContainers } from "../documentPatch.js";
import { isConcurrent, overwrites, type Writer } from "./clock.js";
import { MetaDraft } from "./MetaDraft.js";
import { EMPTY_META, pathKey, type ObjectMeta } from "./objectMeta.js";
import { ListTransformer } from "./listTransform.js";
import { NestedReplacements } from "./nestedReplacements.js";

export interface HistoryEntry {
  readonly version: number;
  readonly originIdent: number;
  readonly originTimestamp: number;
  readonly instructions: readonly Instruction[];
}

export interface ObjectState {
  readonly doc: Document | undefined;
  readonly meta: ObjectMeta;
}

export interface Integration {
  readonly effective: Instruction[];
  /** Final state of every object the upload touched, keyed by `objectKey`. */
  readonly objects: Map<
    string,
    { readonly table: string; readonly pk: PrimaryKey; readonly state: ObjectState }
  >;
  readonly dropped: { readonly instruction: Instruction; readonly reason: string }[];
}

/** Text JSON writes between quotes unchanged: printable ASCII except the quote and backslash. */
const PLAIN_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Whether each table name needs no escaping, once per name (of a bounded number: uploads name any). */
const plainTables = new Map<string, boolean>();
const MAX_PLAIN_TABLES = 1000;
/** The table `isPlain` answered last, and its answer. */
let lastTable = "";
let lastTablePlain = true;

function isPlain(table: string): boolean {
  if (table === lastTable) return lastTablePlain;
  let plain = plainTables.get(table);
  if (plain === undefined) {
    plain = PLAIN_TEXT.test(table);
    if (plainTables.size < MAX_PLAIN_TABLES) plainTables.set(table, plain);
  }
  lastTable = table;
  lastTablePlain = plain;
  return plain;
}

/** The text of a non-string primary key, once per key object (they are immutable values). */
const keyTexts = new WeakMap<object, string>();

/**
 * The object's key: `JSON.stringify([table, pk as text])`, stored as the `_id` of its merge
 * metadata, so the text never changes. Built without `JSON.stringify` when no character needs
 * escaping (it runs for every instruction several times per upload).
 */
export function objectKey(table: string, pk: PrimaryKey): string {
  // An object's instructions come one after the other: the same table and key object again.
  if (pk === last.pk && table === last.table) return last.key;
  let key: string;
  if (pk === null) key = JSON.stringify([table, null]);
  else if (pk instanceof ObjectId && isPlain(table)) {
    // Hex needs no escaping; cheaper made again than cached per key object.
    key = `["${table}","ObjectId:${pk.toHexString()}"]`;
  } else {
    const text = typeof pk === "string" ? pk : primaryKeyText(pk);
    key =
      isPlain(table) && PLAIN_TEXT.test(text)
        ? `["${table}","${text}"]`
        : JSON.stringify([table, text]);
  }
  last = { table, pk, key };
  return key;
}

let last: { table: string; pk: PrimaryKey; key: string } = { table: "", pk: "", key: '["",""]' };

function primaryKeyText(pk: Exclude<PrimaryKey, string | null>): string {
  let text = keyTexts.get(pk);
  if (text === undefined) {
    text = `${pk.constructor.name}:${pk.toString()}`;
    keyTexts.set(pk, text);
  }
  return text;
}

export function integrateUpload(
  upload: { readonly writer: Writer; readonly instructions: readonly Instruction[] },
  version: number,
  current: ReadonlyMap<string, ObjectState>,
  concurrentHistory: readonly HistoryEntry[],
  /** Bounds moving list positions through concurrent changes (see `ListTransformer`). */
  maxListTransformSteps?: number,
): Integration {
  const { writer } = upload;
  const concurrent = concurrentHistory.filter((entry) =>
    isConcurrent(writer, entry.version, entry.originIdent),
  );
  const lists = new ListTransformer(concurrent, writer, maxListTransformSteps);
  const replaced = new NestedReplacements(concurrent.flatMap((entry) => entry.instructions));
  const result: Integration = { effective: [], objects: new Map(), dropped: [] };
  // The objects' documents are copied once, then changed in place (see OwnedContainers).
  const owns: OwnedContainers = new WeakSet();
  const stamp = { ts: writer.ts, ident: writer.ident, version };

  // Each object's metadata is changed in place while the upload is integrated (see MetaDraft).
  const metas = new Map<string, MetaDraft>();
  for (const instruction of upload.instructions) {
    const key = objectKey(instruction.table, instruction.pk);
    const state = result.objects.get(key)?.state ??
      current.get(key) ?? { doc: undefined, meta: EMPTY_META };
    let meta = metas.get(key);
    if (!meta) {
      meta = new MetaDraft(state.meta);
      metas.set(key, meta);
    }
    const outcome = integrateOne(instruction, state.doc, meta);
    if (typeof outcome === "string") {
      result.dropped.push({ instruction, reason: outcome });
      continue;
    }
    result.effective.push(outcome.instruction);
    if (outcome.meta) metas.set(key, outcome.meta);
    result.objects.set(key, {
      table: instruction.table,
      pk: instruction.pk,
      state: { doc: outcome.doc, meta: EMPTY_META },
    });
  }
  for (const [key, object] of result.objects)
    result.objects.set(key, {
      ...object,
      state: { ...object.state, meta: metas.get(key)!.toMeta() },
    });
  return result;

  /** The outcome of one instruction: its effective form and the object's document (and new metadata when it starts afresh), or why it was dropped. */
  function integrateOne(
    instruction: Instruction,
    doc: Document | undefined,
    meta: MetaDraft,
  ): Outcome | string {
    const { erased } = meta;
    if (
      erased &&
      isConcurrent(writer, erased.version, erased.ident) &&
      !(instruction.type === "EraseObject" && erasesLater(writer, erased))
    )
      return "the object was erased concurrently";
    if (instruction.type === "CreateObject") {
      if (doc) return "the object already exists";
      // The erase it follows still wins over writes concurrent with it, as in realm-core,
      // where an erase discards every concurrent change to the object, even after a re-create.
      return {
        instruction,
        doc: applyToDocument(undefined, instruction, owns),
        meta: new MetaDraft(erased ? { ...EMPTY_META, erased } : EMPTY_META),
      };
    }
    if (instruction.type === "EraseObject") {
      if (!doc) return "the object does not exist";
      return {
        instruction,
        doc: undefined,
        meta: new MetaDraft({
          ...EMPTY_META,
          erased: { version, ident: writer.ident, ts: writer.ts },
        }),
      };
    }
    if (!doc) return "the object does not exist";
    const transformed = lists.transform(instruction);
    if (!transformed) return "the list element was removed concurrently";
    if ("path" in transformed && transformed.path.length > 1) {
      const lost = replaced.lost(transformed, doc, meta, writer);
      if (lost !== undefined) return lost;
    }
    if ("path" in transformed && transformed.path.some((e) => typeof e === "number")) {
      return applyToListElement(transformed, doc);
    }
    return applyToField(transformed as Instruction & { path: Path }, doc, meta);
  }

  function applyToListElement(
    instruction: Instruction & { path: Path },
    doc: Document,
  ): Outcome | string {
    const placed = placeInList(doc, instruction);
    if (placed === undefined) return "the list element was removed concurrently";
    return { instruction: placed, doc: applyToDocument(doc, placed, owns) };
  }

  function applyToField(
    instruction: Instruction & { path: Path },
    doc: Document,
    meta: MetaDraft,
  ): Outcome | string {
    const { path } = instruction;
    const fieldKey = pathKey(path);
    if (instruction.type === "AddInteger") {
      const clock = meta.clock(fieldKey);
      if (!overwrites(writer, clock) && clock) return "a newer concurrent write replaced the value";
      meta.add(fieldKey, { ...stamp, delta: Long.fromValue(instruction.value).toNumber() });
      return { instruction, doc: applyToDocument(doc, instruction, owns) };
    }
    if (instruction.type === "SetInsert" || instruction.type === "SetErase") {
      return { instruction, doc: applyToDocument(doc, instruction, owns) };
    }
    const clocks = replacesWhole(instruction, doc)
      ? meta.clocksAbove(path)
      : meta.clocksAround(path);
    if (clocks.some((clock) => !overwrites(writer, clock))) return "a newer concurrent write won";
    let placed: Instruction = instruction;
    if (
      instruction.type === "Update" &&
      (typeof instruction.value === "number" || Long.isLong(instruction.value))
    ) {
      const folded = meta
        .additionsAt(fieldKey)
        .filter((a) => isConcurrent(writer, a.version, a.ident) && !overwrites(writer, a))
        .reduce((sum, a) => sum + a.delta, 0);
      if (folded !== 0) {
        const value = Long.isLong(instruction.value)
          ? instruction.value.add(folded)
          : instruction.value + folded;
        placed = { ...instruction, value };
      }
    }
    meta.write(path, stamp);
    return { instruction: placed, doc: applyToDocument(doc, placed, owns) };
  }
}

/**
 * Whether an Update replaces a whole value, the changes made inside it included: a new list
 * or dictionary in a mixed value, or anything but a new embedded object put where a list,
 * dictionary or embedded object was. Such a write is ordered only against writes to the same
 * value and to values holding it; concurrent changes inside what it replaces are lost with it
 * (see NestedReplacements), whichever arrives first.
 */
function replacesWhole(instruction: Instruction & { path: Path }, doc: Document): boolean {
  if (instruction.type !== "Update") return false;
  const { value } = instruction;
  if (nestedCollectionOf(value) !== undefined) return true;
  if (typeof value === "object" && value !== null && "$object" in value) return false;
  const current = valueAt(doc, instruction.path);
  return typeof current === "object" && current !== null && isContainer(current);
}

function isContainer(value: object): boolean {
  return Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype;
}

/** Whether `writer`'s erase is later than a concurrent `erased` one, by (timestamp, file ident). */
function erasesLater(writer: Writer, erased: NonNullable<ObjectMeta["erased"]>): boolean {
  if (erased.ts === undefined) return false;
  return writer.ts > erased.ts || (writer.ts === erased.ts && writer.ident > erased.ident);
}

interface Outcome {
  readonly instruction: Instruction;
  readonly doc: Document | undefined;
  /** Set when the object starts afresh (created, erased). */
  readonly meta?: MetaDraft;
}

/**
 * Applies sync instructions to documents as the data layer stores them: a Realm object is a
 * document keyed by `_id`, an embedded object a nested document, a list or set an array, a
 * dictionary a nested document, a link the target's primary key. Instruction values become
 * document values under the conventions of `data/types.ts` (int64 → number when safe).
 *
 * Pure: the input document is never modified. A path that does not resolve, or an index
 * outside its list, is the sender's fault: `bad_changeset` (212).
 */
import {
  SyncErrorCode,
  SyncProtocolError,
  type Instruction,
  type InstructionValue,
  type Path,
} from "@atoll/protocol";
import { Long } from "bson";
import type { Document } from "../data/types.js";
import { normaliseBson, setOwn } from "../storage/normaliseBson.js";
import { bsonEquals } from "./bsonEquals.js";

type Container = Document | unknown[];

function badPath(instruction: Instruction, why: string): SyncProtocolError {
  return new SyncProtocolError(
    SyncErrorCode.BadChangeset,
    `${instruction.type} on ${instruction.table} ${String(instruction.pk)}: ${why}`,
  );
}

/** The document value an instruction value stands for. */
export function documentValue(value: InstructionValue): unknown {
  if (value !== null && typeof value === "object") {
    if ("$link" in value) return normaliseBson(value.$link.pk);
    if ("$object" in value) return {};
  }
  return normaliseBson(value);
}

function isContainer(value: unknown): value is Container {
  return (
    Array.isArray(value) ||
    (value !== null &&
      typeof value === "object" &&
      Object.getPrototypeOf(value) === Object.prototype)
  );
}

/** Deep copy of the containers along a path, so the result shares nothing mutable with the input. */
function cloneAlong(doc: Document, path: Path): { root: Document; parent: Container } {
  const root = { ...doc };
  let parent: Container = root;
  for (const element of path.slice(0, -1)) {
    const child: unknown = (parent as Record<string | number, unknown>)[element];
    if (!isContainer(child)) return { root, parent: undefined as never };
    const copy: Container = Array.isArray(child) ? [...child] : { ...child };
    if (Array.isArray(parent)) parent[element as number] = copy;
    else setOwn(parent, String(element), copy);
    parent = copy;
  }
  return { root, parent };
}

function listAt(
  instruction: Instruction & { path: Path },
  parent: Container | undefined,
  key: string | number,
  create: boolean,
): unknown[] {
  const current: unknown =
    parent === undefined ? undefined : (parent as Record<string | number, unknown>)[key];
  if (Array.isArray(current)) return current;
  if (
    (current === undefined || current === null) &&
    create &&
    parent !== undefined &&
    !Array.isArray(parent)
  ) {
    const list: unknown[] = [];
    setOwn(parent, String(key), list);
    return list;
  }
  throw badPath(instruction, `path ${JSON.stringify(instruction.path)} is not a list`);
}

/**
 * The document after `instruction`; undefined when the object does not exist (after an
 * erase, or before a create).
 */
export function applyToDocument(
  doc: Document | undefined,
  instruction: Instruction,
): Document | undefined {
  switch (instruction.type) {
    case "CreateObject":
      return doc ?? { _id: normaliseBson(instruction.pk) };
    case "EraseObject":
      return undefined;
  }
  if (doc === undefined) throw badPath(instruction, "the object does not exist");
  const { path } = instruction;
  const base =
    instruction.type === "ArrayInsert"
      ? withListAt(doc, path.slice(0, -1))
      : instruction.type === "Update" || instruction.type === "Erase"
        ? withDictionaryAt(doc, path)
        : doc;
  const { root, parent } = cloneAlong(base, path);
  if (parent === undefined)
    throw badPath(instruction, `path ${JSON.stringify(path)} does not resolve`);
  const last = path[path.length - 1]!;
  switch (instruction.type) {
    case "Update": {
      if (Array.isArray(parent)) {
        if (typeof last !== "number" || last >= parent.length)
          throw badPath(instruction, `index ${String(last)} out of range`);
        parent[last] = documentValue(instruction.value);
      } else {
        setOwn(parent, String(last), documentValue(instruction.value));
      }
      return root;
    }
    case "AddInteger": {
      const current: unknown = (parent as Record<string | number, unknown>)[last];
      if (current === null || current === undefined) return root; // adding to null leaves null, as Realm does
      const sum = Long.fromValue(current as number | Long).add(instruction.value);
      (parent as Record<string | number, unknown>)[last] = normaliseBson(sum);
      return root;
    }
    case "ArrayInsert": {
      const list = cloneListParent(instruction, parent, path);
      const index = last as number;
      if (index > list.length)
        throw badPath(instruction, `insert at ${index} beyond size ${list.length}`);
      list.splice(index, 0, documentValue(instruction.value));
      return root;
    }
    case "ArrayMove": {
      const list = cloneListParent(instruction, parent, path);
      const from = last as number;
      if (from >= list.length || instruction.to >= list.length)
        throw badPath(instruction, "move out of range");
      const [item] = list.splice(from, 1);
      list.splice(instruction.to, 0, item);
      return root;
    }
    case "ArrayErase": {
      const list = cloneListParent(instruction, parent, path);
      const index = last as number;
      if (index >= list.length)
        throw badPath(instruction, `erase at ${index} beyond size ${list.length}`);
      list.splice(index, 1);
      return root;
    }
    case "Clear": {
      if (Array.isArray(parent)) throw badPath(instruction, "cannot clear a list element");
      setOwn(parent, String(last), instruction.collectionType === "dictionary" ? {} : []);
      return root;
    }
    case "SetInsert":
    case "SetErase": {
      const container = parent as Record<string | number, unknown>;
      const set = [...listAt(instruction, parent, last, instruction.type === "SetInsert")];
      const value = documentValue(instruction.value);
      const at = set.findIndex((item) => bsonEquals(item, value));
      if (instruction.type === "SetInsert" && at < 0) set.push(value);
      if (instruction.type === "SetErase" && at >= 0) set.splice(at, 1);
      container[last] = set;
      return root;
    }
    case "Erase": {
      if (Array.isArray(parent)) throw badPath(instruction, "cannot erase a key from a list");
      delete parent[String(last)];
      return root;
    }
  }
}

/**
 * The document after each instruction in turn, as `applyToDocument` one by one makes it, with
 * fewer copies: once a step has made a document of its own (shared with no one), a later write
 * to one of its top-level fields is made on it in place. `from` is never modified. Instructions
 * on an object that does not exist (before a create, after an erase) are passed over.
 */
export function replayOnDocument(
  from: Document | undefined,
  instructions: readonly Instruction[],
): Document | undefined {
  let doc = from;
  let owned = false;
  for (const instruction of instructions) {
    if (doc === undefined && instruction.type !== "CreateObject") continue;
    if (owned && instruction.type === "Update" && instruction.path.length === 1) {
      const [field] = instruction.path;
      if (typeof field === "string") {
        setOwn(doc!, field, documentValue(instruction.value));
        continue;
      }
    }
    const next = applyToDocument(doc, instruction);
    owned = next !== undefined && next !== doc;
    doc = next;
  }
  return doc;
}

/** A first insert into a list the document does not have yet creates it (a missing field is an empty list). */
function withListAt(doc: Document, listPath: Path): Document {
  if (listPath.length !== 1) return doc;
  const key = String(listPath[0]);
  const current = doc[key];
  return current === undefined || current === null ? { ...doc, [key]: [] } : doc;
}

/**
 * A dictionary property exists, empty, on every object, so the first key set on an object that
 * never had one (realm-core clients write a new object's dictionary key by key, without a
 * Clear) starts it. Only an absent top-level field: an embedded object is created explicitly
 * (ObjectValue) before its fields are set, and a null one stays an error.
 */
function withDictionaryAt(doc: Document, path: Path): Document {
  if (path.length !== 2 || typeof path[1] !== "string") return doc;
  const key = String(path[0]);
  return Object.hasOwn(doc, key) ? doc : { ...doc, [key]: {} };
}

/** The list a list instruction's path (ending in an index) points into, copied in place. */
function cloneListParent(
  instruction: Instruction & { path: Path },
  parent: Container,
  path: Path,
): unknown[] {
  // List instructions' paths end in an index, so `parent` is the (already copied) list itself.
  if (!Array.isArray(parent))
    throw badPath(instruction, `path ${JSON.stringify(path)} is not a list element`);
  return parent;
}

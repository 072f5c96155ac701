/**
 * Applies sync instructions to documents as the data layer stores them: a Realm object is a
 * document keyed by `_id`, an embedded object a nested document, a list or set an array, a
 * dictionary a nested document, a link the target's primary key. Instruction values become
 * document values under the conventions of `data/types.ts` (int64 → number when safe). A list or
 * dictionary inside a mixed value is a plain nested array or document too, reached by the same
 * paths.
 *
 * Pure: the input document is never modified, only copies made for the same run of
 * instructions (`OwnedContainers`). A path that does not resolve, or an index outside its
 * list, is the sender's fault: `bad_changeset` (212).
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
import { forgetSetIndex, setErase, setInsert } from "./setIndex.js";

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
    if ("$object" in value || "$dictionary" in value) return {};
    if ("$list" in value) return [];
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

/**
 * Containers a run of instructions made itself (copies of stored ones, or new ones): a later
 * instruction of the run changes them in place instead of copying them again, so a run of
 * list inserts costs one copy of the list, not one per insert.
 */
export type OwnedContainers = WeakSet<object>;

/** `container` itself when the run owns it, else a shallow copy the run now owns. */
function owned<T extends Container>(container: T, owns: OwnedContainers): T {
  if (owns.has(container)) return container;
  const copy = (Array.isArray(container) ? [...container] : { ...container }) as T;
  owns.add(copy);
  return copy;
}

/** The containers along a path made the run's own, so the result shares nothing mutable with what the run did not make. */
function ownAlong(
  doc: Document,
  path: Path,
  owns: OwnedContainers,
): { root: Document; parent: Container } {
  const root = owned(doc, owns);
  let parent: Container = root;
  for (const element of path.slice(0, -1)) {
    const child: unknown = (parent as Record<string | number, unknown>)[element];
    if (!isContainer(child)) return { root, parent: undefined as never };
    const copy: Container = owned(child, owns);
    if (copy !== child) {
      if (Array.isArray(parent)) parent[element as number] = copy;
      else setOwn(parent, String(element), copy);
    }
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
 * erase, or before a create). `doc` is left as it is, except for the containers in `owns`
 * (those a run of instructions made itself), which are changed in place.
 */
export function applyToDocument(
  doc: Document | undefined,
  instruction: Instruction,
  owns: OwnedContainers = new WeakSet(),
): Document | undefined {
  switch (instruction.type) {
    case "CreateObject": {
      if (doc !== undefined) return doc;
      const created = { _id: normaliseBson(instruction.pk) };
      owns.add(created);
      return created;
    }
    case "EraseObject":
      return undefined;
  }
  if (doc === undefined) throw badPath(instruction, "the object does not exist");
  const { path } = instruction;
  const base =
    instruction.type === "ArrayInsert"
      ? withListAt(doc, path.slice(0, -1), owns)
      : instruction.type === "Update" || instruction.type === "Erase"
        ? withDictionaryAt(doc, path, owns)
        : doc;
  const { root, parent } = ownAlong(base, path, owns);
  if (parent === undefined)
    throw badPath(instruction, `path ${JSON.stringify(path)} does not resolve`);
  const last = path[path.length - 1]!;
  switch (instruction.type) {
    case "Update": {
      if (Array.isArray(parent)) {
        if (typeof last !== "number" || last >= parent.length)
          throw badPath(instruction, `index ${String(last)} out of range`);
        forgetSetIndex(parent);
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
      const empty = instruction.collectionType === "dictionary" ? {} : [];
      owns.add(empty);
      if (Array.isArray(parent)) {
        // A list or dictionary that is an element of a list (inside a mixed value).
        if (typeof last !== "number" || last >= parent.length)
          throw badPath(instruction, `index ${String(last)} out of range`);
        parent[last] = empty;
      } else setOwn(parent, String(last), empty);
      return root;
    }
    case "SetInsert":
    case "SetErase": {
      const container = parent as Record<string | number, unknown>;
      const set = owned(listAt(instruction, parent, last, instruction.type === "SetInsert"), owns);
      const value = documentValue(instruction.value);
      if (instruction.type === "SetInsert") setInsert(set, value);
      else setErase(set, value);
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
 * The document after each instruction in turn, as `applyToDocument` one by one makes it,
 * copying each container at most once (the run owns its copies). `from` is never modified.
 * Instructions on an object that does not exist (before a create, after an erase) are passed
 * over. With `placed`, each list instruction is first placed in the list as the document has
 * it (`placeInList`), and passed over when its element is gone. With `passOver`, so are those
 * whose path does not resolve in it (for a judgement of an upload on the server's state, where
 * a concurrent write may have replaced a collection on the way: a conflict the integration
 * settles); otherwise they throw, as `applyToDocument` does.
 */
export function replayOnDocument(
  from: Document | undefined,
  instructions: readonly Instruction[],
  {
    placed = false,
    passOver = false,
  }: { readonly placed?: boolean; readonly passOver?: boolean } = {},
): Document | undefined {
  const owns: OwnedContainers = new WeakSet();
  let doc = from;
  for (const instruction of instructions) {
    if (doc === undefined && instruction.type !== "CreateObject") continue;
    const effective = placed && doc !== undefined ? placeInList(doc, instruction) : instruction;
    if (effective === undefined) continue;
    try {
      doc = applyToDocument(doc, effective, owns);
    } catch (error) {
      if (!passOver || !(error instanceof SyncProtocolError)) throw error;
    }
  }
  return doc;
}

/** The value at `path` in `doc`, undefined when the path does not resolve. */
export function valueAt(doc: Document, path: Path): unknown {
  let current: unknown = doc;
  for (const element of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[element];
  }
  return current;
}

/**
 * A list instruction placed in `doc`'s list as it is now, which concurrent changes may have
 * shortened since its writer saw it: an insert position past the end, or a move's target,
 * is clamped to it (and the list's size recorded as `priorSize`); a move, erase or write
 * whose element is no longer there is undefined. Other instructions are returned as they are.
 */
export function placeInList(doc: Document, instruction: Instruction): Instruction | undefined {
  if (!("path" in instruction)) return instruction;
  const { path } = instruction;
  const lastIndex = path.findLastIndex((element) => typeof element === "number");
  if (lastIndex < 0) return instruction;
  if (lastIndex < path.length - 1 || instruction.type === "Update" || instruction.type === "Erase")
    return valueAt(doc, path.slice(0, lastIndex + 1)) === undefined ? undefined : instruction;
  const list = valueAt(doc, path.slice(0, -1));
  const size = Array.isArray(list) ? list.length : 0;
  const index = path[lastIndex] as number;
  switch (instruction.type) {
    case "ArrayInsert":
      return {
        ...instruction,
        path: [...path.slice(0, -1), Math.min(index, size)],
        priorSize: size,
      };
    case "ArrayErase":
      return index < size ? { ...instruction, priorSize: size } : undefined;
    case "ArrayMove":
      return index < size
        ? { ...instruction, priorSize: size, to: Math.min(instruction.to, size - 1) }
        : undefined;
    default:
      return valueAt(doc, path.slice(0, lastIndex + 1)) === undefined ? undefined : instruction;
  }
}

/** A first insert into a list the document does not have yet creates it (a missing field is an empty list). */
function withListAt(doc: Document, listPath: Path, owns: OwnedContainers): Document {
  if (listPath.length !== 1) return doc;
  const key = String(listPath[0]);
  const current = doc[key];
  if (current !== undefined && current !== null) return doc;
  const root = owned(doc, owns);
  const list: unknown[] = [];
  owns.add(list);
  setOwn(root, key, list);
  return root;
}

/**
 * A dictionary property exists, empty, on every object, so the first key set on an object that
 * never had one (realm-core clients write a new object's dictionary key by key, without a
 * Clear) starts it. Only an absent top-level field: an embedded object is created explicitly
 * (ObjectValue) before its fields are set, and a null one stays an error.
 */
function withDictionaryAt(doc: Document, path: Path, owns: OwnedContainers): Document {
  if (path.length !== 2 || typeof path[1] !== "string") return doc;
  const key = String(path[0]);
  if (Object.hasOwn(doc, key)) return doc;
  const root = owned(doc, owns);
  const dictionary: Record<string, unknown> = {};
  owns.add(dictionary);
  setOwn(root, key, dictionary);
  return root;
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
  forgetSetIndex(parent);
  return parent;
}

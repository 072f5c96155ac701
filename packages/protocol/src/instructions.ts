/**
 * The changeset instruction set: what a committed write transaction becomes on its way to the
 * server, modelled on realm-core's sync instructions so that a later adapter can speak the Realm
 * protocol itself.
 *
 * Objects are addressed by table (class name) and primary key. A field inside an object, a list
 * element or a dictionary value is addressed by a `path` from the top-level object: the first
 * element is a property name, then list indices (numbers) and property names or dictionary keys
 * (strings). Embedded objects have no key of their own; they are reached through their owner, as
 * in realm-core.
 *
 * Values are BSON values: integers are `Long`, floating-point numbers are plain numbers (BSON
 * double), and the rest are the bson package's classes. A link is `{ $link: { table, pk } }`;
 * `{ $object: true }` creates an embedded object in place (realm-core's ObjectValue).
 * `{ $list: true }` and `{ $dictionary: true }` set a mixed value (a mixed property, or an
 * element of a list or dictionary inside one) to a new empty list or dictionary (realm-core's
 * List and Dictionary payloads); the instructions after it fill it through paths that descend
 * into it: `["data", "tags", 0]` is element 0 of the list under key "tags" of the mixed
 * property `data`. Setting a value to a new collection always replaces what was there.
 *
 * How a list of instructions becomes bytes (and back) is the changeset codec's business
 * (`changesetCodec.ts`); this module holds the instructions themselves and their validation.
 *
 * History: version 1 — first instruction set (create/erase object, update, add integer, list,
 * set and dictionary operations, clear), each instruction a BSON document of its own.
 * Version 2 — the same instructions in a compact wire form: the structure as a byte string of
 * varints, strings interned, keys and values in one flat list (`changesetV2Format.ts`). List
 * indices and sizes must be safe integers. Version 1 stays readable.
 * Nested collections in mixed values (`$list`, `$dictionary` and paths into them) need no new
 * instruction-set version: both versions carry them as values and path elements. Only peers
 * on sync protocol 3 or later send or receive them (see `sync/version.ts`).
 */
import { Binary, Decimal128, Long, ObjectId, UUID } from "bson";
import { AtollError } from "./AtollError.js";
import { isPlainObject } from "./ejson.js";

/** The instruction-set version `encodeChangeset` writes; `decodeChangeset` reads 1 and 2. */
export const INSTRUCTIONS_VERSION = 2;

/** Object identity on the wire. `null` is a valid (nullable) primary key value. */
export type PrimaryKey = null | Long | string | ObjectId | UUID;
export type PathElement = string | number;
export type Path = readonly PathElement[];

export interface LinkValue {
  readonly $link: { readonly table: string; readonly pk: PrimaryKey };
}
export interface ObjectValue {
  readonly $object: true;
}
/** A new empty list, in a mixed value only. */
export interface ListValue {
  readonly $list: true;
}
/** A new empty dictionary, in a mixed value only. */
export interface DictionaryValue {
  readonly $dictionary: true;
}
export type NestedCollectionValue = ListValue | DictionaryValue;
export type InstructionValue =
  | null
  | boolean
  | Long
  | number
  | string
  | Binary
  | Date
  | Decimal128
  | ObjectId
  | UUID
  | LinkValue
  | ObjectValue
  | NestedCollectionValue;

export type CollectionType = "list" | "set" | "dictionary";

interface ObjectAddress {
  readonly table: string;
  readonly pk: PrimaryKey;
}
interface PathAddress extends ObjectAddress {
  readonly path: Path;
}

export interface CreateObject extends ObjectAddress {
  readonly type: "CreateObject";
}
export interface EraseObject extends ObjectAddress {
  readonly type: "EraseObject";
}
/** Sets a field, a list element (path ends in an index, then `priorSize` is the list's size) or a dictionary value. */
export interface Update extends PathAddress {
  readonly type: "Update";
  readonly value: InstructionValue;
  readonly isDefault?: boolean;
  readonly priorSize?: number;
}
/** Adds to an integer field; concurrent additions merge instead of overwriting. */
export interface AddInteger extends PathAddress {
  readonly type: "AddInteger";
  readonly value: Long;
}
/** Path ends in the index inserted at. */
export interface ArrayInsert extends PathAddress {
  readonly type: "ArrayInsert";
  readonly value: InstructionValue;
  readonly priorSize: number;
}
/** Path ends in the index moved from. */
export interface ArrayMove extends PathAddress {
  readonly type: "ArrayMove";
  readonly to: number;
  readonly priorSize: number;
}
/** Path ends in the index erased. */
export interface ArrayErase extends PathAddress {
  readonly type: "ArrayErase";
  readonly priorSize: number;
}
export interface Clear extends PathAddress {
  readonly type: "Clear";
  readonly collectionType: CollectionType;
}
export interface SetInsert extends PathAddress {
  readonly type: "SetInsert";
  readonly value: InstructionValue;
}
export interface SetErase extends PathAddress {
  readonly type: "SetErase";
  readonly value: InstructionValue;
}
/** Removes a dictionary key; the path ends in the key. */
export interface Erase extends PathAddress {
  readonly type: "Erase";
}

export type Instruction =
  | CreateObject
  | EraseObject
  | Update
  | AddInteger
  | ArrayInsert
  | ArrayMove
  | ArrayErase
  | Clear
  | SetInsert
  | SetErase
  | Erase;
export type InstructionType = Instruction["type"];

export type FieldKind =
  "table" | "pk" | "path" | "value" | "long" | "count" | "bool?" | "count?" | "collection";

/**
 * The shape of every instruction, as data: the decoder validates against it and a test pins it,
 * so the wire shape cannot change without a version bump.
 */
export const INSTRUCTION_SHAPES: Readonly<
  Record<InstructionType, Readonly<Record<string, FieldKind>>>
> = {
  CreateObject: { table: "table", pk: "pk" },
  EraseObject: { table: "table", pk: "pk" },
  Update: {
    table: "table",
    pk: "pk",
    path: "path",
    value: "value",
    isDefault: "bool?",
    priorSize: "count?",
  },
  AddInteger: { table: "table", pk: "pk", path: "path", value: "long" },
  ArrayInsert: { table: "table", pk: "pk", path: "path", value: "value", priorSize: "count" },
  ArrayMove: { table: "table", pk: "pk", path: "path", to: "count", priorSize: "count" },
  ArrayErase: { table: "table", pk: "pk", path: "path", priorSize: "count" },
  Clear: { table: "table", pk: "pk", path: "path", collectionType: "collection" },
  SetInsert: { table: "table", pk: "pk", path: "path", value: "value" },
  SetErase: { table: "table", pk: "pk", path: "path", value: "value" },
  Erase: { table: "table", pk: "pk", path: "path" },
};

/** A changeset that is not well formed. Frames from elsewhere are never trusted. */
export class ChangesetFormatError extends AtollError<"BadChangeset"> {
  constructor(message: string) {
    super("BadChangeset", message);
  }
}

/*
 * Class checks compare prototypes, not `instanceof`: exactly the classes the BSON decoder
 * creates are accepted, and its `Timestamp` (a subclass of `Long`) is not an integer.
 */

export function isPrimaryKey(value: unknown): value is PrimaryKey {
  if (value === null || typeof value === "string") return true;
  if (typeof value !== "object") return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return (
    prototype === Long.prototype || prototype === ObjectId.prototype || prototype === UUID.prototype
  );
}

export function isLong(value: unknown): value is Long {
  return (
    typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Long.prototype
  );
}

/** The classes a value may be an instance of: the bson package's, and Date. */
const VALUE_PROTOTYPES: ReadonlySet<unknown> = new Set([
  Long.prototype,
  Binary.prototype,
  Date.prototype,
  Decimal128.prototype,
  ObjectId.prototype,
  UUID.prototype,
]);

/** Whether a value is `{ $list: true }` or `{ $dictionary: true }`, and which. */
export function nestedCollectionOf(value: unknown): "list" | "dictionary" | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if ((value as Partial<ListValue>).$list === true) return "list";
  if ((value as Partial<DictionaryValue>).$dictionary === true) return "dictionary";
  return undefined;
}

export function isInstructionValue(value: unknown): value is InstructionValue {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return true;
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return VALUE_PROTOTYPES.has(prototype);
  const document = value as Record<string, unknown>;
  if ("$object" in document) return document.$object === true && Object.keys(document).length === 1;
  if ("$list" in document) return document.$list === true && Object.keys(document).length === 1;
  if ("$dictionary" in document)
    return document.$dictionary === true && Object.keys(document).length === 1;
  const link = document.$link;
  return isPlainObject(link) && typeof link.table === "string" && isPrimaryKey(link.pk);
}

/** A path as the shapes define it: a property name, then property names, keys and indices. */
export function isPath(value: unknown): value is Path {
  if (!Array.isArray(value) || value.length === 0 || typeof value[0] !== "string") return false;
  for (let i = 1; i < value.length; i++) {
    const element: unknown = value[i];
    if (typeof element !== "string" && !isCount(element)) return false;
  }
  return true;
}

/** A list index or size: a non-negative integer, and a safe one (beyond that it means nothing). */
export function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

export function checkField(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case "table":
      return typeof value === "string" && value.length > 0;
    case "pk":
      return isPrimaryKey(value);
    case "path":
      return isPath(value);
    case "value":
      return isInstructionValue(value);
    case "long":
      return isLong(value);
    case "count":
      return isCount(value);
    case "count?":
      return value === undefined || isCount(value);
    case "bool?":
      return value === undefined || typeof value === "boolean";
    case "collection":
      return value === "list" || value === "set" || value === "dictionary";
  }
}

/** Checks an untrusted value against the instruction shapes; throws ChangesetFormatError naming the fault. */
export function validateInstruction(value: unknown, index = 0): Instruction {
  if (!isPlainObject(value))
    throw new ChangesetFormatError(`Instruction ${index} is not an object`);
  const type = value.type;
  if (typeof type !== "string" || !Object.hasOwn(INSTRUCTION_SHAPES, type)) {
    throw new ChangesetFormatError(`Instruction ${index} has unknown type ${JSON.stringify(type)}`);
  }
  const shape = INSTRUCTION_SHAPES[type as InstructionType];
  for (const key of Object.keys(value)) {
    if (key !== "type" && !Object.hasOwn(shape, key)) {
      throw new ChangesetFormatError(`Instruction ${index} (${type}) has unknown field '${key}'`);
    }
  }
  for (const [field, kind] of Object.entries(shape)) {
    if (!checkField(kind, value[field])) {
      throw new ChangesetFormatError(`Instruction ${index} (${type}) has an invalid '${field}'`);
    }
  }
  return value as unknown as Instruction;
}

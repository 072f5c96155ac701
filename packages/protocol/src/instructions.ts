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
 *
 * History: version 1 — first instruction set (create/erase object, update, add integer, list,
 * set and dictionary operations, clear).
 */
import { Binary, BSON, Decimal128, Long, ObjectId, UUID } from "bson";
import { AtollError } from "./AtollError.js";

export const INSTRUCTIONS_VERSION = 1;

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
  | ObjectValue;

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

type FieldKind =
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

function isPrimaryKey(value: unknown): value is PrimaryKey {
  return (
    value === null ||
    typeof value === "string" ||
    value instanceof Long ||
    value instanceof ObjectId ||
    value instanceof UUID
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

function isInstructionValue(value: unknown): value is InstructionValue {
  if (value === null || typeof value === "boolean" || typeof value === "string") return true;
  if (typeof value === "number") return true;
  if (
    value instanceof Long ||
    value instanceof Binary ||
    value instanceof Date ||
    value instanceof Decimal128 ||
    value instanceof ObjectId ||
    value instanceof UUID
  ) {
    return true;
  }
  if (!isPlainObject(value)) return false;
  if ("$object" in value) return value.$object === true && Object.keys(value).length === 1;
  const link = value.$link;
  return isPlainObject(link) && typeof link.table === "string" && isPrimaryKey(link.pk);
}

function checkField(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case "table":
      return typeof value === "string" && value.length > 0;
    case "pk":
      return isPrimaryKey(value);
    case "path":
      return (
        Array.isArray(value) &&
        value.length > 0 &&
        typeof value[0] === "string" &&
        value.every((e) => typeof e === "string" || (Number.isInteger(e) && (e as number) >= 0))
      );
    case "value":
      return isInstructionValue(value);
    case "long":
      return value instanceof Long;
    case "count":
      return Number.isInteger(value) && (value as number) >= 0;
    case "count?":
      return value === undefined || (Number.isInteger(value) && (value as number) >= 0);
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

/** Encodes a changeset as one BSON document `{ version, instructions }`. */
export function encodeChangeset(instructions: readonly Instruction[]): Uint8Array {
  return BSON.serialize({
    version: INSTRUCTIONS_VERSION,
    instructions: stripUndefined(instructions),
  });
}

/** Drops fields set to undefined; an instruction without any is passed as is (no copy). */
function stripUndefined(instructions: readonly Instruction[]): object[] {
  return instructions.map((instruction) =>
    Object.values(instruction).includes(undefined)
      ? Object.fromEntries(Object.entries(instruction).filter(([, v]) => v !== undefined))
      : instruction,
  );
}

/** Decodes and validates a changeset; refuses other instruction-set versions. */
export function decodeChangeset(bytes: Uint8Array): Instruction[] {
  let document: Record<string, unknown>;
  try {
    document = BSON.deserialize(bytes, { promoteLongs: false });
  } catch (error) {
    throw new ChangesetFormatError(`Changeset is not valid BSON: ${(error as Error).message}`);
  }
  if (document.version !== INSTRUCTIONS_VERSION) {
    throw new ChangesetFormatError(
      `Changeset has instruction-set version ${String(document.version)}, expected ${INSTRUCTIONS_VERSION}`,
    );
  }
  const list = document.instructions;
  if (!Array.isArray(list)) throw new ChangesetFormatError("Changeset has no instruction list");
  return list.map((item, index) => validateInstruction(item, index));
}

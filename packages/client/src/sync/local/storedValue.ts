/**
 * The inverse of transaction/payload.ts: an instruction value as the stored value of a
 * property (Long → number for int, Binary → bytes for data, …). Links are returned as a
 * reference for the caller to resolve; embedded objects as the `$object` marker; a new list or
 * dictionary in a mixed value as an empty one.
 */
import { Binary, Decimal128, Long, ObjectId, UUID } from "bson";
import {
  nestedCollectionOf,
  type InstructionValue,
  type LinkValue,
  type PrimaryKey,
} from "@atoll/protocol";
import type { ClassInfo, PropInfo, Stored } from "../../schema/ClassInfo.js";

/** Thrown with the reason a value does not fit; the applier turns it into a BadChangesetError. */
export class ValueMismatch extends Error {}

export type ConvertedValue =
  | { readonly kind: "value"; readonly stored: Stored }
  | { readonly kind: "link"; readonly table: string; readonly pk: PrimaryKey }
  | { readonly kind: "object" };

function isLink(value: InstructionValue): value is LinkValue {
  return typeof value === "object" && value !== null && "$link" in value;
}

function isObjectMarker(value: InstructionValue): boolean {
  return typeof value === "object" && value !== null && "$object" in value;
}

function bytes(binary: Binary): Uint8Array {
  return new Uint8Array(binary.value());
}

/** The stored value, or undefined when `value` does not fit the type. */
function primitive(element: string, value: InstructionValue): unknown {
  switch (element) {
    case "bool":
      return typeof value === "boolean" ? value : undefined;
    case "int":
      if (value instanceof Long) return value.toNumber();
      return typeof value === "number" && Number.isInteger(value) ? value : undefined;
    case "float":
    case "double":
      return typeof value === "number" ? value : undefined;
    case "string":
      return typeof value === "string" ? value : undefined;
    case "data":
      return value instanceof Binary ? bytes(value) : undefined;
    case "date":
      return value instanceof Date ? value : undefined;
    case "decimal128":
      return value instanceof Decimal128 ? value : undefined;
    case "objectId":
      return value instanceof ObjectId ? value : undefined;
    case "uuid":
      if (value instanceof Binary && value.sub_type === Binary.SUBTYPE_UUID) return value.toUUID();
      return value instanceof UUID ? value : undefined;
    case "mixed":
      if (value instanceof Long) return value.toNumber();
      if (value instanceof Binary)
        return value.sub_type === Binary.SUBTYPE_UUID ? value.toUUID() : bytes(value);
      switch (nestedCollectionOf(value)) {
        case "list":
          return [];
        case "dictionary":
          return {};
      }
      return isLink(value) || isObjectMarker(value) ? undefined : value;
    default:
      return undefined;
  }
}

function describe(value: InstructionValue): string {
  if (value === null) return "null";
  if (typeof value !== "object") return `${typeof value} ${JSON.stringify(value)}`;
  if (isLink(value)) return `a link to ${value.$link.table}`;
  if (isObjectMarker(value)) return "an embedded object";
  const nested = nestedCollectionOf(value);
  if (nested !== undefined) return `a ${nested}`;
  return `a ${value.constructor.name}`;
}

/** The stored form of `value` for one element of `prop` (the property itself, or its collection's elements). */
export function convertValue(prop: PropInfo, value: InstructionValue): ConvertedValue {
  if (value === null) {
    if (prop.optional || (prop.element === "object" && prop.collection === "dictionary"))
      return { kind: "value", stored: null };
    throw new ValueMismatch(`null is not a valid value of ${prop.qualifiedName}`);
  }
  if (prop.element === "object") {
    const target = prop.target as ClassInfo;
    if (target.embedded) {
      if (isObjectMarker(value)) return { kind: "object" };
    } else if (isLink(value) && value.$link.table === target.name) {
      return { kind: "link", table: value.$link.table, pk: value.$link.pk };
    }
    throw new ValueMismatch(`${describe(value)} is not a valid value of ${prop.qualifiedName}`);
  }
  const stored = primitive(prop.element, value);
  if (stored === undefined)
    throw new ValueMismatch(`${describe(value)} is not a valid value of ${prop.qualifiedName}`);
  return { kind: "value", stored };
}

/** The stored primary key value for a wire primary key, or a ValueMismatch. */
export function primaryKeyValue(cls: ClassInfo, pk: PrimaryKey): Stored {
  const prop = cls.pk;
  if (!prop) {
    if (pk instanceof Long) return pk.toNumber();
    throw new ValueMismatch(`${cls.name} has no primary key; objects are addressed by key`);
  }
  if (pk === null) {
    if (prop.optional) return null;
    throw new ValueMismatch(`null is not a valid primary key of ${cls.name}`);
  }
  const converted = convertValue(prop, pk);
  if (converted.kind !== "value") throw new ValueMismatch(`bad primary key of ${cls.name}`);
  return converted.stored;
}

/** Whether two wire primary keys are the same value (without converting either). */
export function samePrimaryKey(a: PrimaryKey, b: PrimaryKey): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof Long) return b instanceof Long && a.equals(b);
  if (a instanceof ObjectId) return b instanceof ObjectId && a.equals(b);
  return a instanceof UUID && b instanceof UUID && a.equals(b);
}

/**
 * Checks a JS value against a primitive property type and turns it into its stored form, and
 * back. Stored forms: numbers, booleans, strings, Date, Uint8Array (data), bson Decimal128,
 * ObjectId and UUID. Reads of the common types return the stored value as it is, which is what
 * keeps property access cheap.
 */
import { Binary, Decimal128, ObjectId, UUID } from "bson";
import { TypeAssertionError } from "../errors.js";
import type { ElementType } from "../schema/ClassInfo.js";

const EXPECTED: Record<string, string> = {
  bool: "a boolean",
  int: "a number or bigint",
  float: "a number",
  double: "a number",
  decimal128: "an instance of Decimal128",
  string: "a string",
  data: "an instance of ArrayBuffer",
  date: "an instance of Date",
  objectId: "an instance of ObjectId",
  uuid: "an instance of UUID",
  mixed: "a value Realm can store",
  object: "an object",
};

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "object") {
    const name = value.constructor?.name;
    return name && name !== "Object" ? `an instance of ${name}` : "an object";
  }
  if (typeof value === "string")
    return `a string ('${value.length > 20 ? value.slice(0, 20) + "…" : value}')`;
  return `a ${typeof value} (${String(value)})`;
}

export function typeMismatch(where: string, type: ElementType, value: unknown): TypeAssertionError {
  return new TypeAssertionError(
    `Expected '${where}' to be ${EXPECTED[type] ?? type}, got ${describeValue(value)}`,
    {
      property: where,
      expected: type,
    },
  );
}

function toBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(
      value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength),
    );
  }
  return undefined;
}

/** Converts a non-null value for a primitive (non-link) type; undefined means "not convertible". */
function convertPrimitive(type: ElementType, value: unknown): unknown {
  switch (type) {
    case "bool":
      return typeof value === "boolean" ? value : undefined;
    case "int":
      if (typeof value === "bigint") return Number(value);
      return typeof value === "number" && Number.isInteger(value) ? value : undefined;
    case "float":
    case "double":
      if (typeof value === "bigint") return Number(value);
      return typeof value === "number" ? value : undefined;
    case "string":
      return typeof value === "string" ? value : undefined;
    case "decimal128":
      return value instanceof Decimal128 ? value : undefined;
    case "data":
      return toBytes(value);
    case "date":
      return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
    case "objectId":
      return value instanceof ObjectId ? value : undefined;
    case "uuid":
      return value instanceof UUID ? value : undefined;
    case "mixed":
      return convertMixed(value);
    default:
      return undefined;
  }
}

function convertMixed(value: unknown): unknown {
  switch (typeof value) {
    case "boolean":
    case "string":
      return value;
    case "number":
      return value;
    case "bigint":
      return Number(value);
    case "object":
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
      if (value instanceof Decimal128 || value instanceof ObjectId || value instanceof UUID)
        return value;
      return toBytes(value);
    default:
      return undefined;
  }
}

/** Stored form of a primitive value, or a TypeAssertionError naming `where` (e.g. "Person.age"). */
export function toStoredPrimitive(
  where: string,
  type: ElementType,
  optional: boolean,
  value: unknown,
): unknown {
  if (value === null || value === undefined) {
    if (optional) return null;
    throw typeMismatch(where, type, value);
  }
  const stored = convertPrimitive(type, value);
  if (stored === undefined) throw typeMismatch(where, type, value);
  return stored;
}

/** JS form of a stored primitive: data comes back as an ArrayBuffer copy, the rest as stored. */
export function fromStoredPrimitive(stored: unknown): unknown {
  if (stored instanceof Uint8Array) {
    return stored.buffer.slice(stored.byteOffset, stored.byteOffset + stored.byteLength);
  }
  return stored;
}

/** Turns values decoded from the store back into their in-memory form (bytes as Uint8Array). */
export function reviveDecoded(value: unknown): unknown {
  if (value instanceof UUID) return value;
  if (value instanceof Binary)
    return value.sub_type === Binary.SUBTYPE_UUID ? value.toUUID() : new Uint8Array(value.value());
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveDecoded(value[i]);
    return value;
  }
  if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = reviveDecoded(record[key]);
  }
  return value;
}

/** Zero value Realm gives a required property that was added by a schema change. */
export function zeroValue(type: ElementType): unknown {
  switch (type) {
    case "bool":
      return false;
    case "int":
    case "float":
    case "double":
      return 0;
    case "string":
      return "";
    case "data":
      return new Uint8Array(0);
    case "date":
      return new Date(0);
    case "decimal128":
      return Decimal128.fromString("0");
    case "objectId":
      return new ObjectId("000000000000000000000000");
    case "uuid":
      return new UUID("00000000-0000-0000-0000-000000000000");
    default:
      return null;
  }
}

/** Equality of stored primitive values (for sets, UpdateMode.Modified and queries by value). */
export function storedEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (a instanceof ObjectId && b instanceof ObjectId) return a.equals(b);
  if (a instanceof UUID && b instanceof UUID) return a.equals(b);
  if (a instanceof Decimal128 && b instanceof Decimal128) return a.toString() === b.toString();
  return false;
}

/**
 * Equality of document values by BSON value: ObjectIds by bytes, dates by time, numbers by
 * value (an int64 and the same number are equal), binaries and UUIDs by bytes, documents
 * and arrays element-wise. Used for set semantics, where `includes` would compare identity.
 */
import { Long } from "bson";

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  const bsonType = (value as { _bsontype?: string } | null)?._bsontype;
  if (bsonType === "Binary" || bsonType === "UUID") {
    const binary = value as { buffer: Uint8Array; position: number };
    return binary.buffer.subarray(0, binary.position);
  }
  if (bsonType === "ObjectId") return (value as { id: Uint8Array }).id;
  return undefined;
}

export function bsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isNumeric(a) && isNumeric(b)) return numericEquals(a, b);
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  const typeA = (a as { _bsontype?: string })._bsontype;
  const typeB = (b as { _bsontype?: string })._bsontype;
  if (typeA === "Decimal128" || typeB === "Decimal128")
    return typeA === typeB && String(a) === String(b);
  const bytesA = bytesOf(a);
  const bytesB = bytesOf(b);
  if (bytesA || bytesB) {
    if (!bytesA || !bytesB || typeA !== typeB || bytesA.length !== bytesB.length) return false;
    return bytesA.every((byte, i) => byte === bytesB[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => bsonEquals(item, b[i]))
    );
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    keysA.length === keysB.length &&
    keysA.every(
      (key) =>
        Object.hasOwn(b, key) &&
        bsonEquals((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
    )
  );
}

function isNumeric(value: unknown): value is number | Long {
  return typeof value === "number" || Long.isLong(value);
}

function numericEquals(a: number | Long, b: number | Long): boolean {
  const fractional = (v: number | Long) => typeof v === "number" && !Number.isInteger(v);
  if (fractional(a) || fractional(b)) return Number(a) === Number(b);
  return Long.fromValue(a).equals(Long.fromValue(b));
}

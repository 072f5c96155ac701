/**
 * Brings a value to the conventions of `data/types.ts`: Int32 and Double become JS numbers,
 * an int64 becomes a number when it is a safe integer and stays a `Long` otherwise; every
 * other BSON class (ObjectId, UUID, Decimal128, Binary, Date, ...) is kept. Plain objects and
 * arrays are copied, so the result never aliases the input's containers.
 */
import type { Long } from "bson";

export function normaliseBson(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(normaliseBson);
  const bsonType = (value as { _bsontype?: unknown })._bsontype;
  if (bsonType === "Int32" || bsonType === "Double")
    return (value as { valueOf(): number }).valueOf();
  if (bsonType === "Long") {
    const long = value as Long;
    const safe =
      long.lessThanOrEqual(Number.MAX_SAFE_INTEGER) &&
      long.greaterThanOrEqual(Number.MIN_SAFE_INTEGER);
    return safe ? long.toNumber() : long;
  }
  if (bsonType !== undefined || value instanceof Date || value instanceof RegExp) return value;
  if (ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) setOwn(out, key, normaliseBson(item));
  }
  return out;
}

/** Assigns an own property, even one named `__proto__` (a legal field name in documents). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else target[key] = value;
}

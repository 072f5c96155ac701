/**
 * How documents and `_id` keys are stored as text: EJSON, relaxed (plain JSON numbers and
 * strings, so SQL JSON functions can read top-level fields for pushdown), except that an int64
 * beyond 2^53 keeps its `$numberLong` form so no digit is lost, and a double holding an integer
 * that large keeps its `$numberDouble` form so it does not come back as an int64. Decoding restores the value
 * conventions of `data/types.ts`.
 */
import { EJSON, Long } from "bson";
import { normaliseBson, setOwn } from "./normaliseBson.js";
import { StorageError } from "./StorageError.js";
import type { Document } from "../data/types.js";

export function encodeDocument(doc: Document): string {
  return EJSON.stringify(protectWideLongs(doc), { relaxed: true });
}

export function decodeDocument(text: string): Document {
  let parsed: unknown;
  try {
    parsed = EJSON.parse(text, { relaxed: false });
  } catch (cause) {
    throw new StorageError("Corrupt", "a stored document is not valid EJSON", { cause });
  }
  return normaliseBson(parsed) as Document;
}

/** The unique key of an `_id` value inside its namespace: equal ids, equal keys. */
export function idKey(id: unknown): string {
  return EJSON.stringify({ k: protectWideLongs(normaliseBson(id)) }, { relaxed: true });
}

/** Relaxed EJSON would round a wide int64 to a double; keep those in canonical form. */
function protectWideLongs(value: unknown): unknown {
  // A double holding an integer beyond 2^53 would read back as an int64: say it is a double.
  if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return { $numberDouble: String(value) };
  }
  if (Long.isLong(value)) {
    return isSafe(value) ? value.toNumber() : { $numberLong: value.toString() };
  }
  if (Array.isArray(value)) return value.map(protectWideLongs);
  if (isPlainObject(value)) {
    const out: Document = {};
    for (const [key, item] of Object.entries(value)) setOwn(out, key, protectWideLongs(item));
    return out;
  }
  return value;
}

function isSafe(long: Long): boolean {
  return long.lessThanOrEqual(Number.MAX_SAFE_INTEGER) && long.greaterThanOrEqual(Number.MIN_SAFE_INTEGER);
}

function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== "object") return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

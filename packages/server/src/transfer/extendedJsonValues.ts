/**
 * Extended JSON (canonical or relaxed) to the values of `data/types.ts`, for `atoll import`:
 * what `normaliseBson(EJSON.deserialize(json, { relaxed: false }))` gives, built in one walk
 * over `JSON.parse`'s output (reused in place) instead of through the `bson` package's
 * stringify-and-parse round trip. The common wrappers (`$oid`, `$date`, `$numberInt`,
 * `$numberLong`, `$numberDouble`) are converted here; any other (`$binary`, `$numberDecimal`,
 * `$regularExpression`, ...) is handed to the `bson` package.
 */
import { EJSON, Long, ObjectId } from "bson";
import type { Document } from "../data/types.js";
import { normaliseBson, setOwn } from "../storage/normaliseBson.js";

const DOLLAR = 0x24;

export function documentFromExtendedJson(text: string): Document {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new TypeError("a document must be a JSON object");
  return revive(parsed) as Document;
}

function revive(value: unknown): unknown {
  if (typeof value === "number") return plainNumber(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i]);
    return value;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  const first = keys[0];
  if (first !== undefined && first.charCodeAt(0) === DOLLAR) return wrapper(object, keys);
  for (const key of keys) {
    const revived = revive(object[key]);
    if (key === "__proto__") setOwn(object, key, revived);
    else object[key] = revived;
  }
  return object;
}

function wrapper(object: Record<string, unknown>, keys: readonly string[]): unknown {
  if (keys.length === 1) {
    const [key] = keys as [string];
    const inner = object[key];
    switch (key) {
      case "$oid":
        if (typeof inner === "string") return ObjectId.createFromHexString(inner);
        break;
      case "$numberInt":
        if (typeof inner === "string") return integer(inner, 32);
        break;
      case "$numberLong":
        if (typeof inner === "string") return long(inner);
        break;
      case "$numberDouble":
        if (typeof inner === "string") return double(inner);
        break;
      case "$date":
        return date(inner);
    }
  }
  return normaliseBson(EJSON.deserialize(object, { relaxed: false }));
}

/** A relaxed integer beyond 2^53 is an int64, as the bson package reads it. */
function plainNumber(n: number): number | Long {
  if (Number.isSafeInteger(n) || !Number.isInteger(n) || Math.abs(n) > 2 ** 63) return n;
  return Long.fromNumber(n);
}

function integer(text: string, bits: 32): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || n < -(2 ** (bits - 1)) || n >= 2 ** (bits - 1))
    throw new TypeError(`$numberInt "${text}" is not a 32-bit integer`);
  return n;
}

function long(text: string): number | Long {
  if (!/^-?\d+$/.test(text)) throw new TypeError(`$numberLong "${text}" is not an integer`);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : Long.fromString(text);
}

function double(text: string): number {
  const n = Number(text);
  if (Number.isNaN(n) && text !== "NaN")
    throw new TypeError(`$numberDouble "${text}" is not a number`);
  return n;
}

function date(inner: unknown): Date {
  let ms: number;
  if (typeof inner === "string") ms = Date.parse(inner);
  else if (typeof inner === "number") ms = inner;
  else if (
    inner !== null &&
    typeof inner === "object" &&
    typeof (inner as { $numberLong?: unknown }).$numberLong === "string"
  )
    ms = Number((inner as { $numberLong: string }).$numberLong);
  else throw new TypeError("$date holds neither a date string nor a number");
  if (Number.isNaN(ms)) throw new TypeError("$date holds no valid date");
  return new Date(ms);
}

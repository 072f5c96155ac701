/**
 * How documents and `_id` keys are stored as text: relaxed EJSON (plain JSON numbers and
 * strings, so SQL JSON functions can read top-level fields for pushdown), except that an int64
 * beyond 2^53 keeps its `$numberLong` form so no digit is lost, and a double holding an integer
 * that large (or NaN, ±Infinity, -0) keeps its `$numberDouble` form so it reads back a double.
 * The text is defined as `JSON.stringify(doc, replaceBson)`; `encodeDocument` writes the
 * common values itself and gives exactly that text (property-tested against it). Decoding is
 * `JSON.parse` with a reviver that handles only the EJSON wrappers. The tests hold the output
 * to the `bson` package's own EJSON reading of the same text.
 */
import { EJSON, Long, ObjectId } from "bson";
import { normaliseBson } from "./normaliseBson.js";
import { StorageError } from "./StorageError.js";
import type { Document } from "../data/types.js";

export function encodeDocument(doc: Document): string {
  return encodeValue(doc, "") ?? "null";
}

/**
 * The text `JSON.stringify(value, replaceBson)` gives (undefined where it writes nothing),
 * written directly for plain containers, strings, exact numbers, booleans, null, dates and
 * ObjectIds: a replacer call per value costs more than the rest of the encoding. Anything
 * else goes through `JSON.stringify` with the replacer, which treats a subtree exactly as it
 * would inside the whole document.
 */
function encodeValue(value: unknown, key: string): string | undefined {
  switch (typeof value) {
    case "string":
      return stringText(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (
        Number.isSafeInteger(value)
          ? !Object.is(value, -0)
          : Number.isFinite(value) && !Number.isInteger(value)
      )
        return String(value);
      break;
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return encodeArray(value);
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype === Object.prototype || prototype === null) {
        const plain = value as { toJSON?: unknown; _bsontype?: unknown };
        if (typeof plain.toJSON !== "function" && plain._bsontype === undefined)
          return encodeObject(value as Record<string, unknown>);
      } else if ((value as { _bsontype?: unknown })._bsontype === "ObjectId") {
        return `{"$oid":"${objectIdHex(value as ObjectId)}"}`;
      } else if (value instanceof Date) {
        return `{"$date":{"$numberLong":"${dateTime(value, key)}"}}`;
      }
      break;
    }
  }
  return JSON.stringify(value, replaceBson);
}

function encodeArray(items: readonly unknown[]): string {
  let out = "[";
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ",";
    out += encodeValue(items[i], String(i)) ?? "null";
  }
  return out + "]";
}

function encodeObject(fields: Record<string, unknown>): string {
  let out = "{";
  for (const key of Object.keys(fields)) {
    const text = encodeValue(fields[key], key);
    if (text === undefined) continue;
    if (out.length > 1) out += ",";
    out += fieldPrefix(key) + text;
  }
  return out + "}";
}

/** `"key":` by key: documents of one collection repeat the same few field names. */
const fieldPrefixes = new Map<string, string>();
const FIELD_PREFIXES_KEPT = 4096;

function fieldPrefix(key: string): string {
  let prefix = fieldPrefixes.get(key);
  if (prefix === undefined) {
    prefix = stringText(key) + ":";
    if (fieldPrefixes.size < FIELD_PREFIXES_KEPT) fieldPrefixes.set(key, prefix);
  }
  return prefix;
}

/**
 * `JSON.stringify(text)`. A short string with nothing to escape (no quote, backslash, control
 * character or surrogate) is only quoted; scanning it costs less than the general call.
 */
function stringText(text: string): string {
  if (text.length > 64) return JSON.stringify(text);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff))
      return JSON.stringify(text);
  }
  return `"${text}"`;
}

/** Character codes of the two lowercase hex digits of each byte value. */
const HEX_HIGH = Array.from({ length: 256 }, (_, byte) => "0123456789abcdef".charCodeAt(byte >> 4));
const HEX_LOW = Array.from({ length: 256 }, (_, byte) => "0123456789abcdef".charCodeAt(byte & 15));

/** `id.toHexString()`, without going through a Buffer. */
function objectIdHex(id: ObjectId): string {
  const bytes: ArrayLike<number> | undefined = (id as { id?: ArrayLike<number> }).id;
  if (bytes?.length !== 12) return id.toHexString();
  const chars = new Array<number>(24);
  for (let i = 0; i < 12; i++) {
    const byte = bytes[i] as number;
    chars[2 * i] = HEX_HIGH[byte] as number;
    chars[2 * i + 1] = HEX_LOW[byte] as number;
  }
  return String.fromCharCode(...chars);
}

export function decodeDocument(text: string): Document {
  try {
    return reviveTree(JSON.parse(text)) as Document;
  } catch (cause) {
    throw new StorageError("Corrupt", "a stored document is not valid EJSON", { cause });
  }
}

/** The unique key of an `_id` value inside its namespace: equal ids, equal keys. */
export function idKey(id: unknown): string {
  // The common ids written directly: the same text the general path gives them.
  if (typeof id === "string") return `{"k":${stringText(id)}}`;
  if (typeof id === "number" && Number.isSafeInteger(id) && !Object.is(id, -0))
    return `{"k":${id}}`;
  if ((id as { _bsontype?: unknown } | null)?._bsontype === "ObjectId")
    return `{"k":{"$oid":"${objectIdHex(id as ObjectId)}"}}`;
  return JSON.stringify({ k: normaliseBson(id) }, replaceBson);
}

/** The stored text of the document `{_id}` for the id whose `idKey` is `key`. */
export function idDocumentText(key: string): string {
  return `{"_id":${key.slice(5, -1)}}`;
}

/**
 * `idDocumentText` as an SQL expression over the column holding the key. What is cut off is
 * ASCII (`{"k":` and `}`), so counting characters (SQLite) and UTF-16 units (JS) agree.
 */
export function idDocumentSql(keyColumn: string): string {
  return `'{"_id":' || substr(${keyColumn}, 6, length(${keyColumn}) - 6) || '}'`;
}

/**
 * The general encoding, as a `JSON.stringify` replacer: `encodeDocument` writes what
 * `JSON.stringify(doc, replaceBson)` would. `this[key]` is the value before `toJSON` ran
 * (ObjectId and Date have one).
 */
export function replaceBson(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  if (typeof original === "number") {
    const exact =
      Number.isSafeInteger(original) || (!Number.isInteger(original) && Number.isFinite(original));
    if (exact && !Object.is(original, -0)) return original;
    return { $numberDouble: Object.is(original, -0) ? "-0.0" : String(original) };
  }
  if (original === null || typeof original !== "object") return value;
  if (original instanceof Date) return { $date: { $numberLong: String(dateTime(original, key)) } };
  const type = (original as { _bsontype?: unknown })._bsontype;
  if (type === undefined) return value;
  if (type === "ObjectId") return { $oid: (original as ObjectId).toHexString() };
  if (type === "Long") return longValue(original as Long);
  if (type === "Int32" || type === "Double") return (original as { valueOf(): number }).valueOf();
  return EJSON.serialize(original, { relaxed: false });
}

function dateTime(date: Date, key: string): number {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new StorageError("Corrupt", `field "${key}" holds an invalid Date`);
  return time;
}

function longValue(long: Long): unknown {
  const safe =
    long.lessThanOrEqual(Number.MAX_SAFE_INTEGER) &&
    long.greaterThanOrEqual(Number.MIN_SAFE_INTEGER);
  return safe ? long.toNumber() : { $numberLong: long.toString() };
}

/** Called bottom-up: turns each EJSON wrapper object into its BSON value. */
/**
 * What `JSON.parse(text, reviveBson)` gives, applied to the plain parse of `text`: every value
 * revived after its members, as the reviver is called. Parsing without a reviver and walking
 * the result costs about half as much.
 */
function reviveTree(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveTree(value[i]);
    return value;
  }
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const member = fields[key];
    const revived = reviveTree(member);
    if (revived === member) continue;
    // A parsed "__proto__" is an own field: assigning it would set the prototype instead.
    if (key === "__proto__")
      Object.defineProperty(fields, key, {
        value: revived,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else fields[key] = revived;
  }
  return reviveBson("", fields);
}

function reviveBson(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const wrapper = value as Record<string, unknown>;
  let first: string | undefined;
  for (const name in wrapper) {
    first = name;
    break;
  }
  if (first === undefined || first.charCodeAt(0) !== 36 /* $ */) return value;
  if (first === "$date") return reviveDate(wrapper.$date);
  if (first === "$oid" && typeof wrapper.$oid === "string") return new ObjectId(wrapper.$oid);
  return normaliseBson(EJSON.deserialize(wrapper, { relaxed: false }));
}

/** `$numberLong` inside `$date` was revived first, so the inner value is already a number. */
function reviveDate(inner: unknown): Date {
  if (typeof inner === "number" || typeof inner === "string") return new Date(inner);
  if (Long.isLong(inner)) return new Date(inner.toNumber());
  throw new Error("malformed $date");
}

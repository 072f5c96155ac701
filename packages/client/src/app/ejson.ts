/**
 * Extended JSON as the App Services HTTP API speaks it: request bodies go out as canonical
 * EJSON (so int64, Decimal128, ObjectId and Date keep their types, and a JS number stays a
 * double or int); responses are parsed
 * canonically, then int32 and double become JS numbers and an int64 a JS number when it is a
 * safe integer (a larger one stays a `Long`), which is how Realm JS hands values to users.
 */
import { Double, EJSON, Int32, Long } from "bson";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function toUserNumbers(value: unknown): unknown {
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (value instanceof Long) {
    const asNumber = value.toNumber();
    return Number.isSafeInteger(asNumber) ? asNumber : value;
  }
  if (Array.isArray(value)) return value.map(toUserNumbers);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) out[key] = toUserNumbers(entry);
    return out;
  }
  return value;
}

/**
 * A JS number is a double; bson would call an integral one beyond the safe range an int64
 * and it would come back as a `Long`.
 */
function markUnsafeIntegersAsDoubles(value: unknown): unknown {
  if (typeof value === "number")
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? new Double(value) : value;
  if (Array.isArray(value)) return value.map(markUnsafeIntegersAsDoubles);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) out[key] = markUnsafeIntegersAsDoubles(entry);
    return out;
  }
  return value;
}

export function encodeEjson(value: unknown): string {
  return EJSON.stringify(value === undefined ? null : markUnsafeIntegersAsDoubles(value), {
    relaxed: false,
  });
}

/** Decodes EJSON text; throws a SyntaxError on malformed text. */
export function decodeEjson(text: string): unknown {
  return fromEjsonValue(JSON.parse(text));
}

/** Decodes an already JSON-parsed EJSON value (e.g. a JWT claim). */
export function fromEjsonValue(json: unknown): unknown {
  if (typeof json !== "object" || json === null) return json;
  return toUserNumbers(EJSON.deserialize(json, { relaxed: false }));
}

/**
 * Encoding of one object's stored values for the LocalStore. Objects whose values are all
 * JSON-safe (finite numbers other than -0, strings, booleans, null, and lists and dictionaries
 * of those) are stored as JSON text, which V8 writes and reads several times faster than BSON;
 * every other object (dates, binary, bson types, non-finite numbers) is a BSON document.
 */
import { BSON } from "bson";
import type { ObjectRow, Stored } from "../schema/ClassInfo.js";
import { reviveDecoded } from "../values/convert.js";
import type { StoredObject } from "../store/LocalStore.js";

function jsonSafe(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(jsonSafe);
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key in value) if (!jsonSafe((value as Record<string, unknown>)[key])) return false;
      return true;
    default:
      return false;
  }
}

export function encodeValues(values: Record<string, Stored>): Uint8Array | string {
  for (const key in values) {
    if (!jsonSafe(values[key])) return BSON.serialize(values);
  }
  return JSON.stringify(values);
}

export function encodeRow(row: ObjectRow): StoredObject {
  return {
    key: row.key,
    className: row.cls.name,
    owner: row.owner,
    data: encodeValues(row.values),
  };
}

export function decodeValues(data: Uint8Array | string): Record<string, Stored> {
  if (typeof data === "string") return JSON.parse(data) as Record<string, Stored>;
  return reviveDecoded(BSON.deserialize(data)) as Record<string, Stored>;
}

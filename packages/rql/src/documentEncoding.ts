import { Binary, EJSON } from "bson";
import type { Document } from "bson";

/**
 * The storage encoding the SQL compiler is written against: one document per row as relaxed
 * Extended JSON text. Numbers are JSON numbers, ObjectId `{"$oid":…}`, Date `{"$date":"ISO-8601"}`
 * (for years 1970–9999; whole seconds are written without milliseconds), UUID and binary
 * `{"$binary":{"base64":…,"subType":…}}`, Decimal128 `{"$numberDecimal":…}`. A missing field and
 * a null field are the same to queries.
 */
export function encodeDocument(doc: Document): string {
  return EJSON.stringify(withBinaries(doc), { relaxed: true });
}

export function decodeDocument(text: string): Document {
  return EJSON.parse(text, { relaxed: true }) as Document;
}

/** EJSON writes a bare Uint8Array as an object of indexes; store it as the binary it is. */
function withBinaries(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Binary(value);
  if (value instanceof ArrayBuffer) return new Binary(new Uint8Array(value));
  if (Array.isArray(value)) return value.map(withBinaries);
  if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) out[key] = withBinaries(field);
    return out;
  }
  return value;
}

/**
 * Extended JSON as the App Services HTTP API speaks it: request bodies go out as canonical
 * EJSON (so int64, Decimal128, ObjectId and Date keep their types, and a JS number stays a
 * double or int); responses are parsed canonically, then numbers follow the convention shared
 * with the server (`@atoll/protocol`'s ejson), which is how Realm JS hands values to users.
 */
import { deserializeEjson, stringifyCanonicalEjson } from "@atoll/protocol";

export function encodeEjson(value: unknown): string {
  return stringifyCanonicalEjson(value);
}

/** Decodes EJSON text; throws a SyntaxError on malformed text. */
export function decodeEjson(text: string): unknown {
  return deserializeEjson(JSON.parse(text));
}

/** Decodes an already JSON-parsed EJSON value (e.g. a JWT claim). */
export const fromEjsonValue = deserializeEjson;

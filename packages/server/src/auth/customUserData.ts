/**
 * Custom user data: the document in the configured collection whose `user_id_field` equals
 * the user's id, read when tokens are issued or refreshed. It travels in the access token's
 * `user_data` claim, which realm-web hands to the app as plain `JSON.parse` output: so it is
 * relaxed Extended JSON (plain JSON numbers and strings, `$oid` wrappers), except for what
 * relaxed would corrupt or what realm-core (the native SDKs' engine) would misread:
 * - an int64 the data layer keeps as a `Long` (beyond 2^53) would become a rounded JSON number;
 *   it travels as `{"$numberLong": "<digits>"}` instead, which an EJSON reader (our client)
 *   turns back into the exact value;
 * - a date travels canonical, `{"$date": {"$numberLong": "<ms>"}}`: realm-core reads `$date`
 *   only as a number of milliseconds, and takes relaxed's ISO text for a date millennia away.
 *   EJSON readers (realm-web's apps through `EJSON.deserialize`, our client) accept both forms.
 * Every other value the data layer holds survives relaxed exactly (a double is the shortest
 * text that reads back as itself).
 */
import { isPlainObject } from "@atoll/protocol";
import { EJSON, Long } from "bson";
import type { CustomUserDataConfig } from "../config/types.js";
import type { DataService } from "../data/types.js";

export async function readCustomUserData(
  system: DataService,
  config: CustomUserDataConfig | undefined,
  userId: string,
): Promise<Record<string, unknown>> {
  if (config === undefined) return {};
  const doc = await system
    .db(config.databaseName)
    .collection(config.collectionName)
    .findOne({ [config.userIdField]: userId });
  if (doc === null) return {};
  return tokenClaimValue(doc) as Record<string, unknown>;
}

/** Relaxed Extended JSON of `value`, with each int64 beyond 2^53 kept as canonical `$numberLong`. */
export function tokenClaimValue(value: unknown): unknown {
  // By _bsontype: a Timestamp is a Long too, and relaxed keeps it exact as `$timestamp`.
  if (Long.isLong(value) && value._bsontype === "Long") {
    const exact = value.toString();
    return Number.isSafeInteger(Number(exact)) ? Number(exact) : { $numberLong: exact };
  }
  if (value instanceof Date) return { $date: { $numberLong: String(value.getTime()) } };
  if (Array.isArray(value)) return value.map(tokenClaimValue);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) out[key] = tokenClaimValue(entry);
    return out;
  }
  return EJSON.serialize({ v: value }, { relaxed: true }).v;
}

/**
 * Custom user data: the document in the configured collection whose `user_id_field` equals
 * the user's id, read when tokens are issued or refreshed. It travels in the access token as
 * relaxed Extended JSON (plain JSON numbers and strings, `$oid`/`$date` wrappers), which is
 * what realm-web's `user.customData` hands to the app.
 */
import { EJSON } from "bson";
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
  return EJSON.serialize(doc, { relaxed: true });
}

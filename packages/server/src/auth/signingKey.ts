/**
 * The key that signs access and refresh tokens: generated on first start and kept in the
 * store, so tokens survive restarts and every server node sharing the store accepts them.
 */
import type { DataService } from "../data/types.js";
import { AuthCollection, authCollection, stringField } from "./authCollections.js";
import { randomSecret } from "./secrets.js";

const TOKEN_KEY_ID = "tokens";

export async function loadOrCreateSigningKey(system: DataService): Promise<Uint8Array> {
  const keys = authCollection(system, AuthCollection.signingKeys);
  const existing = await keys.findOne({ _id: TOKEN_KEY_ID });
  if (existing !== null) return Buffer.from(stringField(existing, "secret"), "hex");
  const secret = randomSecret(64);
  try {
    await keys.insertOne({ _id: TOKEN_KEY_ID, algorithm: "HS256", secret, createdAt: new Date() });
    return Buffer.from(secret, "hex");
  } catch (error) {
    // Another node created it between our read and our insert: use theirs.
    const raced = await keys.findOne({ _id: TOKEN_KEY_ID });
    if (raced === null) throw error;
    return Buffer.from(stringField(raced, "secret"), "hex");
  }
}

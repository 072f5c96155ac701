/**
 * API keys (the `api-key` provider). User keys: secrets a non-anonymous user creates to log in
 * as themselves; at most 20 per user, names unique per user. Server keys: created by the
 * operator (`atoll api-keys create`), owned by no user; logging in with one logs in the
 * server user that key stands for (a user of type "server", created at its first login).
 * A key is shown once, at creation; the store keeps its digest.
 */
import { AppError } from "@atoll/protocol";
import type { DataService, Document } from "../data/types.js";
import { AuthCollection, authCollection, booleanField, stringField } from "./authCollections.js";
import { digest, newId, randomSecret } from "./secrets.js";

export const MAX_API_KEYS_PER_USER = 20;

export interface ApiKeyInfo {
  readonly _id: string;
  readonly name: string;
  readonly disabled: boolean;
}

function toInfo(doc: Document): ApiKeyInfo {
  return {
    _id: stringField(doc, "_id"),
    name: stringField(doc, "name"),
    disabled: booleanField(doc, "disabled"),
  };
}

/** What a valid key stands for: a user's own key, or a server key. */
export type ApiKeyOwner =
  | { readonly kind: "user"; readonly userId: string; readonly keyId: string }
  | { readonly kind: "server"; readonly keyId: string; readonly name: string };

/** Server keys carry this as their `userId`: no user id is empty. */
const SERVER_KEY_OWNER = "";

export class ApiKeyStore {
  constructor(private readonly system: DataService) {}

  private get keys() {
    return authCollection(this.system, AuthCollection.apiKeys);
  }

  async create(userId: string, name: unknown): Promise<ApiKeyInfo & { key: string }> {
    if (typeof name !== "string" || name.trim() === "")
      throw new AppError("MissingParameter", "must provide an API key name");
    const existing = await this.keys.find({ userId });
    if (existing.length >= MAX_API_KEYS_PER_USER) {
      throw new AppError(
        "InvalidParameter",
        `a user may have at most ${MAX_API_KEYS_PER_USER} API keys`,
      );
    }
    if (existing.some((doc) => stringField(doc, "name") === name)) {
      throw new AppError("APIKeyAlreadyExists", `API key with name already exists: ${name}`);
    }
    const key = randomSecret(32);
    const _id = newId();
    await this.keys.insertOne({
      _id,
      userId,
      name,
      keyDigest: digest(key),
      disabled: false,
      createdAt: new Date(),
    });
    return { _id, key, name, disabled: false };
  }

  async list(userId: string): Promise<ApiKeyInfo[]> {
    return (await this.keys.find({ userId }, { sort: { createdAt: 1 } })).map(toInfo);
  }

  async get(userId: string, keyId: string): Promise<ApiKeyInfo> {
    const doc = await this.keys.findOne({ _id: keyId, userId });
    if (doc === null) throw new AppError("APIKeyNotFound", "API key not found");
    return toInfo(doc);
  }

  async setDisabled(userId: string, keyId: string, disabled: boolean): Promise<void> {
    const result = await this.keys.updateOne({ _id: keyId, userId }, { $set: { disabled } });
    if (result.matchedCount === 0) throw new AppError("APIKeyNotFound", "API key not found");
  }

  async delete(userId: string, keyId: string): Promise<void> {
    const result = await this.keys.deleteOne({ _id: keyId, userId });
    if (result.deletedCount === 0) throw new AppError("APIKeyNotFound", "API key not found");
  }

  async deleteAllOf(userId: string): Promise<void> {
    await this.keys.deleteMany({ userId });
  }

  /** A server key, for the operator: the name must be new among server keys. */
  createServerKey(name: unknown): Promise<ApiKeyInfo & { key: string }> {
    return this.create(SERVER_KEY_OWNER, name);
  }

  listServerKeys(): Promise<ApiKeyInfo[]> {
    return this.list(SERVER_KEY_OWNER);
  }

  deleteServerKey(keyId: string): Promise<void> {
    return this.delete(SERVER_KEY_OWNER, keyId);
  }

  /** The owner and id of an enabled key; any failure is the same 401, to reveal nothing. */
  async authenticate(key: unknown): Promise<ApiKeyOwner> {
    if (typeof key !== "string" || key === "")
      throw new AppError("MissingParameter", "expected a 'key' in the login payload");
    const doc = await this.keys.findOne({ keyDigest: digest(key) });
    if (doc === null || booleanField(doc, "disabled"))
      throw new AppError("AuthError", "invalid API key");
    const keyId = stringField(doc, "_id");
    const userId = stringField(doc, "userId");
    return userId === SERVER_KEY_OWNER
      ? { kind: "server", keyId, name: stringField(doc, "name") }
      : { kind: "user", userId, keyId };
  }
}

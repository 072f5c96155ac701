/**
 * `user.apiKeys` (Realm JS's `ApiKeyAuth`): the user's API keys, managed with the user's
 * refresh token. The secret `key` is only in `create`'s answer.
 */
import { ObjectId } from "bson";
import { AppError } from "./AppError.js";
import type { ApiRequest } from "./Transport.js";

export interface ApiKey {
  readonly _id: string;
  readonly name: string;
  readonly disabled: boolean;
}

export interface SecretApiKey extends ApiKey {
  readonly key: string;
}

type Send = (request: Omit<ApiRequest, "bearer">) => Promise<unknown>;

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value === "object" && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  throw new AppError({ errorCode: "MalformedJson", error: "expected an API key document" });
}

function apiKeyOf(value: unknown): ApiKey {
  const record = asRecord(value);
  const id = record._id instanceof ObjectId ? record._id.toHexString() : String(record._id);
  return { _id: id, name: String(record.name), disabled: record.disabled === true };
}

export class ApiKeyAuth {
  constructor(private readonly send: Send) {}

  async create(name: string): Promise<SecretApiKey> {
    const answer = asRecord(
      await this.send({ method: "POST", path: "/auth/api_keys", body: { name } }),
    );
    return { ...apiKeyOf(answer), key: String(answer.key) };
  }

  async fetch(keyId: string): Promise<ApiKey> {
    return apiKeyOf(await this.send({ method: "GET", path: this.keyPath(keyId) }));
  }

  async fetchAll(): Promise<ApiKey[]> {
    const answer = await this.send({ method: "GET", path: "/auth/api_keys" });
    return Array.isArray(answer) ? answer.map(apiKeyOf) : [];
  }

  async delete(keyId: string): Promise<void> {
    await this.send({ method: "DELETE", path: this.keyPath(keyId) });
  }

  async enable(keyId: string): Promise<void> {
    await this.send({ method: "PUT", path: `${this.keyPath(keyId)}/enable` });
  }

  async disable(keyId: string): Promise<void> {
    await this.send({ method: "PUT", path: `${this.keyPath(keyId)}/disable` });
  }

  private keyPath(keyId: string): string {
    return `/auth/api_keys/${encodeURIComponent(keyId)}`;
  }
}

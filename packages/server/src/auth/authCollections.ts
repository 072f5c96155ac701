/**
 * Where auth keeps its state: collections of the server's own `__atoll` database, reached
 * through the system data service like any other data (never exposed to clients, not part of
 * the change feed). Record shapes are read back defensively: a store edited by hand must give
 * a clear error, not a crash.
 */
import type { Collection, DataService, Document } from "../data/types.js";

export const AUTH_DATABASE = "__atoll";

export const AuthCollection = {
  users: "users",
  /** `_id` = `<provider type>/<provider-scoped id>` → `userId`: one identity, one user. */
  identities: "identities",
  sessions: "sessions",
  apiKeys: "api_keys",
  /** Email/password accounts, keyed by the lower-cased email. */
  userpass: "userpass",
  signingKeys: "signing_keys",
} as const;
export type AuthCollection = (typeof AuthCollection)[keyof typeof AuthCollection];

export function authCollection(system: DataService, name: AuthCollection): Collection {
  return system.db(AUTH_DATABASE).collection(name);
}

export function stringField(doc: Document, field: string): string {
  const value = doc[field];
  return typeof value === "string" ? value : "";
}

export function booleanField(doc: Document, field: string): boolean {
  return doc[field] === true;
}

export function objectField(doc: Document, field: string): Record<string, unknown> {
  const value = doc[field];
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function dateField(doc: Document, field: string): Date | undefined {
  const value = doc[field];
  return value instanceof Date ? value : undefined;
}

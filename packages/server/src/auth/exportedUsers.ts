/**
 * Reads the user list an App Services app exports, as `atoll users import` takes it: a JSON
 * array (or JSON lines) of users as the Admin API's users endpoint returns them, or as
 * `appservices users list -f json` prints them (the same users, possibly grouped by provider
 * as `{provider_type, users: [...]}`). Per user: `_id` (or `id`), `identities` (each with
 * `id`, `provider_type`, optional `provider_id` and `provider_data.email`), `data` (email,
 * name, metadata fields), `creation_date` and `last_authentication_date` (seconds since the
 * epoch, or dates), `disabled` (or `enabled`), `type`. Fields beyond these are ignored.
 */
import { AppError } from "@atoll/protocol";
import type { Identity, StoredUser } from "./UserStore.js";

export interface ExportedUser {
  readonly user: StoredUser;
  /** Where the user was found (entry number from 1), for reports. */
  readonly position: number;
  readonly lastSignIn: Date | undefined;
}

export interface SkippedUser {
  readonly position: number;
  readonly id: string;
  readonly reason: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Seconds (or milliseconds, when too large for seconds) since the epoch, an ISO date, or `{$date}`. */
function dateOf(value: unknown): Date | undefined {
  if (typeof value === "number") return new Date(value < 1e11 ? value * 1000 : value);
  if (typeof value === "string") {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  if (isObject(value) && "$date" in value) return dateOf(value.$date);
  return undefined;
}

/** The entries of the file: a JSON array, one JSON object per line, or either grouped by provider. */
export function exportedUserEntries(content: string): Json[] {
  const trimmed = content.trim();
  let entries: unknown[];
  try {
    entries = trimmed.startsWith("[")
      ? (JSON.parse(trimmed) as unknown[])
      : trimmed
          .split("\n")
          .filter((line) => line.trim() !== "")
          .map((line) => JSON.parse(line) as unknown);
  } catch (error) {
    throw new AppError(
      "InvalidParameter",
      `the user list is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return entries.flatMap((entry) => {
    if (isObject(entry) && Array.isArray(entry.users) && !("_id" in entry) && !("id" in entry))
      return entry.users.filter(isObject);
    return isObject(entry) ? [entry] : [];
  });
}

/**
 * The users to create, each with the identities that carry over, and those that cannot move:
 * anonymous users (nothing can sign in as them again) and users left with no identity.
 * `providerName` gives the app's provider name for a provider type.
 */
export function readExportedUsers(
  entries: readonly Json[],
  providerName: (type: string) => string,
): { users: ExportedUser[]; skipped: SkippedUser[] } {
  const users: ExportedUser[] = [];
  const skipped: SkippedUser[] = [];
  entries.forEach((entry, index) => {
    const position = index + 1;
    const id = text(entry._id) ?? text(entry.id);
    if (id === undefined) {
      skipped.push({ position, id: "", reason: "has no _id" });
      return;
    }
    const data = isObject(entry.data) ? { ...entry.data } : {};
    const identities: Identity[] = [];
    let anonymous = false;
    for (const raw of Array.isArray(entry.identities) ? entry.identities : []) {
      if (!isObject(raw)) continue;
      const type = text(raw.provider_type);
      const identityId = text(raw.id);
      if (type === undefined || identityId === undefined) continue;
      if (type === "anon-user") {
        anonymous = true;
        continue;
      }
      if (type === "api-key") continue; // keys' secrets are never exported
      identities.push({ id: identityId, provider_type: type, provider_id: providerName(type) });
      const email = isObject(raw.provider_data) ? text(raw.provider_data.email) : undefined;
      if (email !== undefined && data.email === undefined) data.email = email;
    }
    const email = text(entry.email);
    if (email !== undefined && data.email === undefined) data.email = email;
    if (identities.length === 0) {
      skipped.push({
        position,
        id,
        reason: anonymous
          ? "an anonymous user cannot be carried over: nothing can sign in as it again"
          : "has no identity that can sign in here (API keys are not exported)",
      });
      return;
    }
    const disabled = entry.disabled === true || entry.enabled === false;
    users.push({
      position,
      lastSignIn: dateOf(
        entry.last_authentication_date ?? entry.last_authentication ?? entry.last_login,
      ),
      user: {
        id,
        type: entry.type === "server" ? "server" : "normal",
        disabled,
        data,
        identities,
        createdAt: dateOf(entry.creation_date ?? entry.created_at ?? entry.created),
      },
    });
  });
  return { users, skipped };
}

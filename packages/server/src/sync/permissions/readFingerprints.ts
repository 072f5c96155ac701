/**
 * What a client file's data was chosen by: per synced table, a digest of the read filter its
 * session had (the role's filter with the user's expansions substituted). When a later session
 * of the same file reads a table through a different filter — the rules changed, or the custom
 * user data they use — the objects on the device no longer match what the server would send,
 * and the file must be reset (server_permissions_changed, 228), as Atlas does.
 */
import { createHash } from "node:crypto";
import { EJSON } from "bson";
import type { Document } from "../../data/types.js";

export type ReadFingerprints = Readonly<Record<string, string>>;

/** The digest of each table's read filter. */
export function readFingerprints(filters: ReadonlyMap<string, Document>): ReadFingerprints {
  const result: Record<string, string> = {};
  for (const [table, filter] of filters)
    result[table] = createHash("sha256").update(canonicalText(filter)).digest("base64url");
  return result;
}

/**
 * The tables both sessions can read whose filters differ. A table only one of them knows (a
 * type added to the schema since, or removed) changes nothing on the device.
 */
export function changedTables(before: ReadFingerprints, now: ReadFingerprints): string[] {
  return Object.keys(now).filter(
    (table) => Object.hasOwn(before, table) && before[table] !== now[table],
  );
}

/** EJSON text with the keys of every document sorted, so equal filters give equal text. */
function canonicalText(value: Document): string {
  return JSON.stringify(sortKeys(EJSON.serialize(value, { relaxed: false })));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort())
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

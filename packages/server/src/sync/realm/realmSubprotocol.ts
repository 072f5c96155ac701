/**
 * The WebSocket subprotocols of realm-core's flexible sync, `com.mongodb.realm-query-sync#N`.
 * realm-core 14 offers 14 down to 2, highest first. This server speaks 8 to 14, the versions
 * of the `#N` naming (realm-core 13.10 onwards); what differs between them is settled by the
 * wire (`RealmWire`):
 * - the client messages are the same from 8 on; BIND's JSON gained `sessionReason` (10) and
 *   `schemaVersion` (11), both optional here;
 * - a DOWNLOAD's last header field is the download's progress estimate, a fraction, from 12
 *   on, and an integer (downloadable bytes, always 0 from Atlas) before;
 * - the batch state field is read as a boolean (last in batch) before 14's batch states:
 *   `2`, steady state, reads as `true`, which those clients take for steady state once the
 *   query version is the active one;
 * - a Clear's trailing integer is a collection type from 13 on, an ignored size (0) before:
 *   the schema then says which collection it clears;
 * - collections inside mixed values (13) are refused by Atoll whatever the version;
 * - `log_message` exists from 10 on; this server sends none.
 */
export const REALM_SUBPROTOCOL_PREFIX = "com.mongodb.realm-query-sync#";
export const REALM_PROTOCOL_VERSIONS = { oldest: 8, newest: 14 } as const;

/** From this version on a DOWNLOAD carries a progress estimate (a fraction) instead of an integer. */
export const PROGRESS_ESTIMATE_VERSION = 12;

/** The highest version both sides speak, or undefined. */
export function negotiateRealmProtocolVersion(offered: Iterable<string>): number | undefined {
  let best: number | undefined;
  for (const entry of offered) {
    const name = entry.trim();
    if (!name.startsWith(REALM_SUBPROTOCOL_PREFIX)) continue;
    const digits = name.slice(REALM_SUBPROTOCOL_PREFIX.length);
    if (!/^\d{1,6}$/.test(digits)) continue;
    const version = Number(digits);
    if (version < REALM_PROTOCOL_VERSIONS.oldest || version > REALM_PROTOCOL_VERSIONS.newest)
      continue;
    if (best === undefined || version > best) best = version;
  }
  return best;
}

/** Whether the client speaks realm-core's protocol at all (to refuse it in a way it understands). */
export function offersRealmProtocol(offered: Iterable<string>): boolean {
  for (const entry of offered) if (entry.trim().startsWith(REALM_SUBPROTOCOL_PREFIX)) return true;
  return false;
}

export function realmSubprotocolFor(version: number): string {
  return `${REALM_SUBPROTOCOL_PREFIX}${version}`;
}

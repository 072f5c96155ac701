/**
 * The WebSocket subprotocols of realm-core's flexible sync, `com.mongodb.realm-query-sync#N`.
 * realm-core 14 offers 14 down to 2, highest first. This server speaks 12 to 14: from 12 the
 * download's progress estimate is a fraction (older clients parse an integer there), and the
 * changeset format is the same across them (13's Clear carries a collection type where 12 had
 * a zero, and 13 allows collections inside mixed values, which Atoll refuses by name).
 */
export const REALM_SUBPROTOCOL_PREFIX = "com.mongodb.realm-query-sync#";
export const REALM_PROTOCOL_VERSIONS = { oldest: 12, newest: 14 } as const;

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

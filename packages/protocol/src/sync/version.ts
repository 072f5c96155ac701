/**
 * The sync protocol version, negotiated in the WebSocket handshake: the client offers
 * `atoll-sync#N` subprotocols (highest first), the server answers with exactly one.
 *
 * History:
 * - 1: first version. One BSON document per binary frame; Realm-shaped sessions (bind, ident,
 *   query, upload, download, mark, unbind), cursors and error codes; changesets are
 *   instruction-set v1 documents carried as opaque bytes.
 * - 2: `error` may carry `isRecoveryModeDisabled` (client resets). A server sends it only to
 *   clients that negotiated version 2 or later.
 * - 3: changesets may carry lists and dictionaries inside mixed values: the values
 *   `{ $list: true }` and `{ $dictionary: true }` and paths that descend into them (see
 *   `instructions.ts`). No message changes shape. A server never sends them to a client on
 *   version 1 or 2: such a client receives null for a nested collection and nothing of the
 *   changes inside one.
 *
 * Any change to a message's wire shape bumps this number (the wire fixtures test enforces it).
 */
export const SYNC_PROTOCOL_VERSION = 3;
export const OLDEST_SUPPORTED_PROTOCOL_VERSION = 1;
export const SUBPROTOCOL_PREFIX = "atoll-sync#";
/** The first version whose `error` message may carry `isRecoveryModeDisabled`. */
export const RECOVERY_MODE_FLAG_VERSION = 2;
/** The first version whose changesets may carry lists and dictionaries inside mixed values. */
export const NESTED_COLLECTIONS_VERSION = 3;

export function subprotocolFor(version: number): string {
  return `${SUBPROTOCOL_PREFIX}${version}`;
}

/** The subprotocols a client offers, newest first (the value of Sec-WebSocket-Protocol). */
export function offeredSubprotocols(): string[] {
  const offered: string[] = [];
  for (let v = SYNC_PROTOCOL_VERSION; v >= OLDEST_SUPPORTED_PROTOCOL_VERSION; v--) {
    offered.push(subprotocolFor(v));
  }
  return offered;
}

/**
 * The version a server picks from what a client offered: the highest both speak, or
 * undefined when they share none (the server then refuses with wrong_protocol_version).
 */
export function negotiateProtocolVersion(offered: Iterable<string>): number | undefined {
  let best: number | undefined;
  for (const entry of offered) {
    const name = entry.trim();
    if (!name.startsWith(SUBPROTOCOL_PREFIX)) continue;
    const digits = name.slice(SUBPROTOCOL_PREFIX.length);
    if (!/^\d{1,6}$/.test(digits)) continue;
    const version = Number(digits);
    if (version < OLDEST_SUPPORTED_PROTOCOL_VERSION || version > SYNC_PROTOCOL_VERSION) continue;
    if (best === undefined || version > best) best = version;
  }
  return best;
}

/** The data the local sync state and the sync session exchange (see the sync contract). */
import type { Instruction } from "@atoll/protocol";

export interface SyncMetadata {
  clientFileIdent: { ident: number; salt: number } | null;
  download: { serverVersion: number; lastIntegratedClientVersion: number };
  latestServerVersion: { version: number; salt: number };
  /** Opaque JSON owned by the session layer. */
  subscriptions: unknown;
  /** Set while a client reset waits for the fresh copy of the view (see ClientResetState). */
  reset?: ClientResetState | null;
}

/** What the client does with its unsynced changes once the fresh copy arrives. */
export type ClientResetMode = "recover" | "discard";

/**
 * A client reset under way: the file got a new identity and waits for the server's fresh copy
 * of its view (the bootstrap of `queryVersion`, or the first download when it has no
 * subscriptions); that copy replaces the local state in one transaction, and the unsynced
 * changes are then redone on it (recover) or dropped (discard).
 */
export interface ClientResetState {
  readonly mode: ClientResetMode;
  readonly queryVersion: number;
}

export interface DownloadedChangeset {
  serverVersion: number;
  lastIntegratedClientVersion: number;
  originFileIdent: number;
  originTimestamp: number;
  instructions: Instruction[];
}

export interface Download {
  changesets: DownloadedChangeset[];
  /** Every local changeset up to this client version is acknowledged by the server. */
  uploadAcknowledged: number;
  metadata?: Partial<SyncMetadata>;
  /**
   * The fresh copy a client reset waits for: it replaces the local state (see ClientResetState)
   * and ends the reset.
   */
  resetMode?: ClientResetMode;
}

export interface PendingUpload {
  clientVersion: number;
  originTimestamp: number;
  /** The download cursor (server version) when it was committed, kept with it in the file. */
  lastIntegratedServerVersion: number;
  changeset: Uint8Array;
}

export function initialMetadata(): SyncMetadata {
  return {
    clientFileIdent: null,
    download: { serverVersion: 0, lastIntegratedClientVersion: 0 },
    latestServerVersion: { version: 0, salt: 0 },
    subscriptions: null,
  };
}

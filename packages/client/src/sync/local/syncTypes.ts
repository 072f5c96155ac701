/** The data the local sync state and the sync session exchange (see the sync contract). */
import type { Instruction } from "@atoll/protocol";

export interface SyncMetadata {
  clientFileIdent: { ident: number; salt: number } | null;
  download: { serverVersion: number; lastIntegratedClientVersion: number };
  latestServerVersion: { version: number; salt: number };
  /** Opaque JSON owned by the session layer. */
  subscriptions: unknown;
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

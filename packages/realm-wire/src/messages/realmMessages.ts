/**
 * realm-core's flexible-sync messages (protocol versions 12 to 14), as plain data. On the wire
 * each is one binary WebSocket message: an ASCII header line of space-separated decimal fields
 * ending in a newline, then a body whose sizes the header declares.
 *
 * Integers are JS numbers and must be safe integers: realm-core allows versions, idents and
 * salts up to 2^63, but every such value a client sends is one this server issued (idents,
 * salts, server versions) or counted locally from zero (client versions), and the server keeps
 * them below 2^53. JSON bodies stay text here; their meaning is the session's business.
 */

/** One changeset as the client uploads it. */
export interface UploadChangeset {
  readonly clientVersion: number;
  readonly lastIntegratedServerVersion: number;
  /** Milliseconds since 2015-01-01T00:00:00Z. */
  readonly originTimestamp: number;
  /** 0 from a client: the changeset is its own. */
  readonly originFileIdent: number;
  readonly changeset: Uint8Array;
}

/** One changeset as the server downloads it. */
export interface DownloadChangeset {
  readonly serverVersion: number;
  readonly lastIntegratedClientVersion: number;
  readonly originTimestamp: number;
  /** Must be > 0 and never the receiving client's own ident. */
  readonly originFileIdent: number;
  readonly originalSize: number;
  readonly changeset: Uint8Array;
}

export const DownloadBatchState = { MoreToCome: 0, LastInBatch: 1, SteadyState: 2 } as const;
export type DownloadBatchState = (typeof DownloadBatchState)[keyof typeof DownloadBatchState];

/** The messages of the same shape whichever side sends them. */
export type RealmSharedMessage =
  | { readonly type: "mark"; readonly session: number; readonly requestIdent: number }
  | {
      readonly type: "json_error";
      readonly code: number;
      /** 0 for a connection-level error. */
      readonly session: number;
      readonly body: string;
    }
  | {
      readonly type: "test_command";
      readonly session: number;
      readonly requestIdent: number;
      readonly body: string;
    };

export type RealmClientMessage =
  | {
      readonly type: "bind";
      readonly session: number;
      /** JSON: `{"schemaVersion":N,"sessionReason":0|1}` for flexible sync. */
      readonly path: string;
      readonly token: string;
      readonly needClientFileIdent: boolean;
      readonly isSubserver: boolean;
    }
  | {
      readonly type: "ident";
      readonly session: number;
      readonly clientFileIdent: number;
      readonly clientFileSalt: number;
      readonly scanServerVersion: number;
      readonly scanClientVersion: number;
      readonly latestServerVersion: number;
      readonly latestServerSalt: number;
      readonly queryVersion: number;
      /** JSON: `{"<class>":"(<rql>) OR (<rql>)"}`. */
      readonly query: string;
    }
  | {
      readonly type: "query";
      readonly session: number;
      readonly queryVersion: number;
      readonly query: string;
    }
  | {
      readonly type: "upload";
      readonly session: number;
      readonly progressClientVersion: number;
      readonly progressServerVersion: number;
      readonly lockedServerVersion: number;
      readonly changesets: readonly UploadChangeset[];
    }
  | { readonly type: "unbind"; readonly session: number }
  | { readonly type: "ping"; readonly timestamp: number; readonly rtt: number }
  | RealmSharedMessage;

export type RealmServerMessage =
  | {
      readonly type: "ident";
      readonly session: number;
      readonly clientFileIdent: number;
      readonly clientFileSalt: number;
    }
  | {
      readonly type: "download";
      readonly session: number;
      readonly downloadServerVersion: number;
      readonly downloadClientVersion: number;
      readonly latestServerVersion: number;
      readonly latestServerSalt: number;
      readonly uploadClientVersion: number;
      readonly uploadServerVersion: number;
      readonly queryVersion: number;
      readonly batchState: DownloadBatchState;
      /** From 0 to 1. */
      readonly progressEstimate: number;
      readonly changesets: readonly DownloadChangeset[];
    }
  | { readonly type: "unbound"; readonly session: number }
  | { readonly type: "pong"; readonly timestamp: number }
  | {
      readonly type: "query_error";
      readonly code: number;
      readonly session: number;
      readonly queryVersion: number;
      readonly message: string;
    }
  | { readonly type: "log_message"; readonly session: number; readonly body: string }
  | RealmSharedMessage;

export type RealmClientMessageType = RealmClientMessage["type"];
export type RealmServerMessageType = RealmServerMessage["type"];

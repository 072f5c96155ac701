/**
 * Catalogue of sync protocol error codes. The numbers and names are realm-core's
 * ProtocolError values, so that a later adapter can speak Realm's own protocol and so that
 * users who know Realm recognise them (compensating write is 231, bad query is 226).
 * 1xx are connection-level errors, 2xx are session-level.
 */
export const SyncErrorCode = {
  ConnectionClosed: 100,
  OtherError: 101,
  UnknownMessage: 102,
  BadSyntax: 103,
  LimitsExceeded: 104,
  WrongProtocolVersion: 105,
  BadSessionIdent: 106,
  ReuseOfSessionIdent: 107,
  BoundInOtherSession: 108,
  BadMessageOrder: 109,
  BadDecompression: 110,
  BadChangesetHeaderSyntax: 111,
  BadChangesetSize: 112,
  SessionClosed: 200,
  OtherSessionError: 201,
  TokenExpired: 202,
  BadAuthentication: 203,
  IllegalRealmPath: 204,
  NoSuchRealm: 205,
  PermissionDenied: 206,
  BadServerFileIdent: 207,
  BadClientFileIdent: 208,
  BadServerVersion: 209,
  BadClientVersion: 210,
  DivergingHistories: 211,
  BadChangeset: 212,
  BadOriginFileIdent: 216,
  BadClientFile: 217,
  ClientFileExpired: 222,
  UserMismatch: 223,
  InvalidSchemaChange: 225,
  BadQuery: 226,
  ObjectAlreadyExists: 227,
  ServerPermissionsChanged: 228,
  InitialSyncNotCompleted: 229,
  WriteNotAllowed: 230,
  CompensatingWrite: 231,
  BadProgress: 233,
  BadSchemaVersion: 235,
  SchemaVersionChanged: 236,
} as const;
export type SyncErrorCode = (typeof SyncErrorCode)[keyof typeof SyncErrorCode];

/** What the client does on receiving the error (realm-core's error actions). */
export const SyncErrorAction = {
  ProtocolViolation: "ProtocolViolation",
  ApplicationBug: "ApplicationBug",
  Warning: "Warning",
  Transient: "Transient",
  ClientReset: "ClientReset",
  RefreshUser: "RefreshUser",
  LogOutUser: "LogOutUser",
} as const;
export type SyncErrorAction = (typeof SyncErrorAction)[keyof typeof SyncErrorAction];

export interface SyncErrorInfo {
  readonly name: string;
  /** Fatal errors end the session; non-fatal ones are reported and the session goes on. */
  readonly fatal: boolean;
  readonly action: SyncErrorAction;
  readonly description: string;
}

const info = (
  name: string,
  fatal: boolean,
  action: SyncErrorAction,
  description: string,
): SyncErrorInfo => ({ name, fatal, action, description });

export const SYNC_ERRORS: Readonly<Record<SyncErrorCode, SyncErrorInfo>> = {
  100: info(
    "connection_closed",
    false,
    "Transient",
    "The connection was closed; the client reconnects.",
  ),
  101: info("other_error", false, "Transient", "An unclassified connection-level error."),
  102: info(
    "unknown_message",
    true,
    "ProtocolViolation",
    "The peer sent a message type this protocol version does not have.",
  ),
  103: info(
    "bad_syntax",
    true,
    "ProtocolViolation",
    "A message could not be parsed or failed validation.",
  ),
  104: info(
    "limits_exceeded",
    true,
    "ProtocolViolation",
    "A message exceeded a size or count limit.",
  ),
  105: info(
    "wrong_protocol_version",
    true,
    "ProtocolViolation",
    "Client and server share no protocol version.",
  ),
  106: info(
    "bad_session_ident",
    true,
    "ProtocolViolation",
    "A message named a session that is not bound.",
  ),
  107: info(
    "reuse_of_session_ident",
    true,
    "ProtocolViolation",
    "A session identifier was bound twice on one connection.",
  ),
  108: info(
    "bound_in_other_session",
    true,
    "ProtocolViolation",
    "The client file is already bound by another session.",
  ),
  109: info(
    "bad_message_order",
    true,
    "ProtocolViolation",
    "A message arrived in a state that does not allow it.",
  ),
  110: info(
    "bad_decompression",
    true,
    "ProtocolViolation",
    "A compressed body could not be decompressed.",
  ),
  111: info(
    "bad_changeset_header_syntax",
    true,
    "ProtocolViolation",
    "A changeset header could not be parsed.",
  ),
  112: info(
    "bad_changeset_size",
    true,
    "ProtocolViolation",
    "A changeset's declared size does not match its body.",
  ),
  200: info(
    "session_closed",
    false,
    "Transient",
    "The session was closed by the server; the client rebinds.",
  ),
  201: info("other_session_error", false, "Transient", "An unclassified session-level error."),
  202: info(
    "token_expired",
    false,
    "RefreshUser",
    "The access token expired; the client refreshes it and reconnects.",
  ),
  203: info("bad_authentication", true, "LogOutUser", "The access token is invalid."),
  204: info("illegal_realm_path", true, "ApplicationBug", "The requested realm path is not valid."),
  205: info("no_such_realm", true, "ApplicationBug", "The requested realm does not exist."),
  206: info("permission_denied", true, "ApplicationBug", "The user may not sync with this app."),
  207: info("bad_server_file_ident", true, "ClientReset", "The server file identity is unknown."),
  208: info(
    "bad_client_file_ident",
    true,
    "ClientReset",
    "The client file identity is unknown to the server.",
  ),
  209: info(
    "bad_server_version",
    true,
    "ClientReset",
    "The client's server version is ahead of the server's history.",
  ),
  210: info(
    "bad_client_version",
    true,
    "ClientReset",
    "The client's versions are inconsistent with what the server has.",
  ),
  211: info(
    "diverging_histories",
    true,
    "ClientReset",
    "The client's history diverged from the server's.",
  ),
  212: info(
    "bad_changeset",
    true,
    "ProtocolViolation",
    "A changeset could not be parsed or integrated.",
  ),
  216: info(
    "bad_origin_file_ident",
    true,
    "ProtocolViolation",
    "A changeset named an impossible origin.",
  ),
  217: info(
    "bad_client_file",
    true,
    "ClientReset",
    "The client file is not usable with this server.",
  ),
  222: info(
    "client_file_expired",
    true,
    "ClientReset",
    "History was compacted past the client's cursor; the client must reset.",
  ),
  223: info("user_mismatch", true, "ApplicationBug", "The client file belongs to another user."),
  225: info(
    "invalid_schema_change",
    true,
    "ApplicationBug",
    "The client's schema does not fit the server's schema.",
  ),
  226: info(
    "bad_query",
    false,
    "Warning",
    "A subscription query is invalid or uses a field that is not queryable.",
  ),
  227: info(
    "object_already_exists",
    false,
    "Warning",
    "An object with that primary key already exists.",
  ),
  228: info(
    "server_permissions_changed",
    true,
    "ClientReset",
    "The rules changed since the client's last session.",
  ),
  229: info(
    "initial_sync_not_completed",
    false,
    "Transient",
    "The server is still building its initial state; retry later.",
  ),
  230: info(
    "write_not_allowed",
    true,
    "ClientReset",
    "The client attempted a write it may never make.",
  ),
  231: info(
    "compensating_write",
    false,
    "Warning",
    "Client attempted a write that is outside of permissions or query filters; it has been reverted",
  ),
  233: info(
    "bad_progress",
    true,
    "ProtocolViolation",
    "The client's progress cursors went backwards or are inconsistent.",
  ),
  235: info(
    "bad_schema_version",
    true,
    "ApplicationBug",
    "The client's schema version is not accepted.",
  ),
  236: info(
    "schema_version_changed",
    true,
    "ClientReset",
    "The schema version changed; the client must migrate.",
  ),
};

export function isSyncErrorCode(value: unknown): value is SyncErrorCode {
  return typeof value === "number" && Object.hasOwn(SYNC_ERRORS, value);
}

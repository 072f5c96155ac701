/**
 * Atoll's error message as realm-core's `json_error`. realm-core refuses a body without any of
 * its six required fields, and a few codes it treats as impossible (it aborts the app's
 * process on them): those are never sent. An expired token and ended access become the
 * WebSocket closes realm-core answers by refreshing the token (4001) or logging the user out
 * (4002); the others become the generic connection or session error of their level.
 */
import { SyncErrorCode, type PrimaryKey, type ServerErrorMessage } from "@atoll/protocol";
import {
  encodeErrorPrimaryKey,
  encodeServerMessage,
  jsonErrorBody,
  primaryKeyFromAtoll,
  type RealmErrorAction,
} from "@atoll/realm-wire";
import type { WireClose } from "../service/SyncWire.js";

/** Codes realm-core 14 reaches `REALM_UNREACHABLE()` on. */
const FATAL_TO_CLIENT: ReadonlySet<number> = new Set([
  104, 202, 203, 205, 207, 214, 215, 218, 219, 220, 221, 224,
]);

const CLOSE_REFRESH_USER = 4001;
const CLOSE_LOG_OUT_USER = 4002;

const ACTIONS: ReadonlySet<string> = new Set<RealmErrorAction>([
  "ProtocolViolation",
  "ApplicationBug",
  "Warning",
  "Transient",
  "DeleteRealm",
  "ClientReset",
  "ClientResetNoRecovery",
  "RefreshUser",
  "RefreshLocation",
  "LogOutUser",
]);

export function realmErrorFrame(message: ServerErrorMessage): Uint8Array | WireClose {
  if (message.code === SyncErrorCode.TokenExpired)
    return { closeCode: CLOSE_REFRESH_USER, reason: "access token expired" };
  if (message.code === SyncErrorCode.BadAuthentication)
    return { closeCode: CLOSE_LOG_OUT_USER, reason: truncate(message.message) };
  const code = FATAL_TO_CLIENT.has(message.code)
    ? message.code < 200
      ? SyncErrorCode.OtherError
      : SyncErrorCode.OtherSessionError
    : message.code;
  const action = ACTIONS.has(message.action)
    ? (message.action as RealmErrorAction)
    : "ApplicationBug";
  const body = jsonErrorBody({
    message: message.message,
    tryAgain: message.tryAgain,
    action,
    shouldClientReset: action === "ClientReset" || action === "ClientResetNoRecovery",
    isRecoveryModeDisabled: message.isRecoveryModeDisabled ?? false,
    logURL: message.logURL ?? "",
    ...(message.rejectedUpdates === undefined
      ? {}
      : {
          rejectedUpdates: message.rejectedUpdates.map((update) => ({
            table: update.table,
            pk: encodeErrorPrimaryKey(primaryKeyFromAtoll(update.pk as PrimaryKey)),
            reason: update.reason,
          })),
        }),
    ...(message.rejectedClientVersion === undefined
      ? {}
      : { rejectedClientVersion: message.rejectedClientVersion }),
    ...(message.compensatingWriteServerVersion === undefined
      ? {}
      : { compensatingWriteServerVersion: message.compensatingWriteServerVersion }),
  });
  // realm-core reads a 1xx code with session 0, a 2xx code with a session, anything else as a
  // protocol violation: a session error found before its session was known is the connection's.
  const connectionLevel = code < 200 || message.session === 0;
  return encodeServerMessage({
    type: "json_error",
    code: connectionLevel && code >= 200 ? SyncErrorCode.OtherError : code,
    session: connectionLevel ? 0 : message.session,
    body,
  });
}

/** A close reason is at most 123 bytes. */
function truncate(reason: string): string {
  return Buffer.from(reason).subarray(0, 120).toString();
}

/**
 * The compensating-write error (231) a client receives before the download that reverts its
 * rejected writes, and the matching line of the app's log, in Atlas' wording (seed 003).
 */
import {
  SYNC_ERRORS,
  SyncErrorCode,
  type PrimaryKey,
  type RejectedUpdate,
  type ServerErrorMessage,
} from "@atoll/protocol";
import type { LogEntry } from "../../logs/LogEntry.js";
import { describePrimaryKey } from "../permissions/describePrimaryKey.js";

const MESSAGE = SYNC_ERRORS[SyncErrorCode.CompensatingWrite].description;

export function compensatingWriteError(
  session: number,
  rejected: readonly (RejectedUpdate & { readonly pk: PrimaryKey })[],
  clientVersion: number,
  serverVersion: number,
): ServerErrorMessage {
  return {
    type: "error",
    session,
    code: SyncErrorCode.CompensatingWrite,
    message: MESSAGE,
    tryAgain: true,
    action: "Warning",
    rejectedUpdates: rejected.map(({ table, pk, reason }) => ({ table, pk, reason })),
    rejectedClientVersion: clientVersion,
    compensatingWriteServerVersion: serverVersion,
  };
}

export function compensatingWriteLogEntry(
  userId: string,
  rejected: readonly RejectedUpdate[],
): Omit<LogEntry, "time"> {
  const details: Record<string, Record<string, string>> = {};
  for (const { table, pk, reason } of rejected) {
    (details[table] ??= {})[describePrimaryKey(pk)] = reason;
  }
  return {
    type: "sync",
    outcome: "error",
    userId,
    message: `${MESSAGE} (ProtocolErrorCode=${SyncErrorCode.CompensatingWrite})`,
    details,
  };
}

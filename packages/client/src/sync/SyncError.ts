/**
 * Errors a sync session reports to `onError` (and that subscription waits reject with), as
 * Realm JS v12 names them: `SyncError` with the protocol error `code` and `isFatal`, and
 * `CompensatingWriteError` (231) listing each write the server reverted, and `ClientResetError`
 * for a reset the app handles itself (manual mode, or a recovery the server does not allow).
 */
import { Long } from "bson";
import {
  AtollError,
  SYNC_ERRORS,
  SyncErrorAction,
  SyncErrorCode,
  isSyncErrorCode,
} from "@atoll/protocol";
import type { ServerErrorMessage } from "@atoll/protocol";

export class SyncError extends AtollError<number> {
  readonly isFatal: boolean;
  /** The server's error action ("Warning", "Transient", "ApplicationBug"…). */
  readonly action: string;
  readonly logUrl: string | undefined;

  constructor(
    code: number,
    message: string,
    options: { isFatal?: boolean; action?: string; logUrl?: string; cause?: unknown } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    const known = isSyncErrorCode(code) ? SYNC_ERRORS[code] : undefined;
    this.isFatal = options.isFatal ?? known?.fatal ?? true;
    this.action = options.action ?? known?.action ?? SyncErrorAction.ApplicationBug;
    this.logUrl = options.logUrl;
  }

  /** The reason, as Realm JS also exposes it. */
  get reason(): string {
    return this.message;
  }
}

/** One write the server reverted. */
export interface CompensatingWriteInfo {
  readonly objectName: string;
  readonly primaryKey: unknown;
  readonly reason: string;
}

export class CompensatingWriteError extends SyncError {
  readonly writes: readonly CompensatingWriteInfo[];

  constructor(message: string, writes: readonly CompensatingWriteInfo[], logUrl?: string) {
    super(SyncErrorCode.CompensatingWrite, message, {
      isFatal: false,
      action: SyncErrorAction.Warning,
      ...(logUrl ? { logUrl } : {}),
    });
    this.writes = writes;
  }
}

/**
 * The server asked for a client reset and the app handles it itself: the session stopped, the
 * file at `config.path` keeps its data and unsynced changes (Realm JS names this "ClientReset"
 * and checks `error.name`).
 */
export class ClientResetError extends SyncError {
  override readonly name = "ClientReset";
  readonly config: { readonly path: string; readonly originalFilePath: string };

  constructor(cause: SyncError, path: string) {
    super(cause.code, cause.message, { isFatal: true, action: cause.action, cause });
    this.config = { path, originalFilePath: path };
  }
}

/** The error a server `error` message stands for. */
export function syncErrorFrom(message: ServerErrorMessage): SyncError {
  const logUrl = message.logURL ? message.logURL : undefined;
  if (message.code === SyncErrorCode.CompensatingWrite) {
    const writes = (message.rejectedUpdates ?? []).map((update) => ({
      objectName: update.table,
      primaryKey: update.pk instanceof Long ? update.pk.toNumber() : update.pk,
      reason: update.reason,
    }));
    return new CompensatingWriteError(message.message, writes, logUrl);
  }
  const known = isSyncErrorCode(message.code) ? SYNC_ERRORS[message.code] : undefined;
  return new SyncError(message.code, message.message, {
    isFatal: known ? known.fatal : !message.tryAgain,
    action: message.action,
    ...(logUrl ? { logUrl } : {}),
  });
}

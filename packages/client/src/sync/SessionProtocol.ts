/**
 * One bound sync session over one open WebSocket: bind → ident, then uploads of every pending
 * changeset in order (cut into messages by uploadMessages), downloads (handed to a
 * DownloadApplier), subscription sets, marks, keep-alive (KeepAlive) and the server's errors.
 * When the socket ends, or an error says it must, it calls `end` once and does nothing more;
 * the session (SyncSession, SessionConnection) decides what comes next.
 */
import type WebSocket from "ws";
import {
  SyncErrorAction,
  SyncErrorCode,
  SyncProtocolError,
  decodeServerMessage,
  encodeMessage,
} from "@atoll/protocol";
import type { ClientMessage, DownloadMessage, ServerErrorMessage } from "@atoll/protocol";
import { queryBody } from "./SubscriptionStore.js";
import type { StoredSubscriptionSet, SubscriptionStore } from "./SubscriptionStore.js";
import { SyncError, syncErrorFrom } from "./SyncError.js";
import { DownloadApplier } from "./DownloadApplier.js";
import { KeepAlive } from "./KeepAlive.js";
import type { KeepAliveTimes } from "./KeepAlive.js";
import { uploadMessages } from "./uploadMessages.js";
import type { LocalSyncPort } from "./types.js";
import type { ClientResetMode } from "./local/syncTypes.js";
import type { sessionLog } from "./logger.js";

export interface SessionEnd {
  /** Reconnect (after the backoff delay, or at once after refreshing the token). */
  readonly retry: boolean;
  readonly refreshToken?: boolean;
  /** A fatal error to report; the session stops. */
  readonly error?: SyncError;
  /** The server asked for a client reset (the session decides how, per its configuration). */
  readonly reset?: ClientResetRequest;
}

export interface ClientResetRequest {
  readonly error: SyncError;
  /** The app does not allow recovering unsynced changes. */
  readonly recoveryDisabled: boolean;
}

export interface ProtocolHooks {
  readonly local: LocalSyncPort;
  readonly subscriptions: SubscriptionStore;
  readonly schema: Record<string, unknown>[];
  readonly schemaVersion: number;
  readonly log: ReturnType<typeof sessionLog>;
  readonly keepAlive: KeepAliveTimes;
  /** A non-fatal error the user hears about (compensating writes). */
  report(error: SyncError): void;
  /** After a download was integrated (or buffered): byte count and the server's estimate. */
  downloaded(bytes: number, estimate: number, uploadAcknowledged: number | undefined): void;
  /** A client reset's fresh copy was applied, or queued to be (uploads go out again after it). */
  resetCompleted(mode: ClientResetMode): void;
  uploaded(clientVersions: readonly number[]): void;
  marked(requestId: number): void;
  /** The server saw `ident`: the session can (re)send marks. */
  bound(): void;
  end(how: SessionEnd): void;
}

export class SessionProtocol {
  private identified = false;
  private ended = false;
  /** Highest client version sent on this connection. */
  private lastSent: number;
  private readonly downloads: DownloadApplier;
  private readonly keepAlive: KeepAlive;

  constructor(
    private readonly socket: WebSocket,
    private readonly hooks: ProtocolHooks,
    acknowledged: number,
  ) {
    this.lastSent = acknowledged;
    this.downloads = new DownloadApplier(hooks.local, hooks.subscriptions);
    this.keepAlive = new KeepAlive(
      hooks.keepAlive,
      () => this.send({ type: "ping", timestamp: Date.now(), rtt: 0 }),
      () => {
        this.hooks.log("warn", "No pong from the server in time; reconnecting");
        this.end({ retry: true });
      },
    );
  }

  start(): void {
    this.socket.on("message", (data: Buffer) => this.receive(data));
    this.socket.on("close", () => this.end({ retry: true }));
    this.socket.on("error", () => this.end({ retry: true }));
    const ident = this.hooks.local.metadata().clientFileIdent;
    this.send({
      type: "bind",
      session: 1,
      clientFileIdent: ident,
      schemaVersion: this.hooks.schemaVersion,
      schema: this.hooks.schema,
    });
    if (ident) this.sendIdent();
    this.keepAlive.start();
  }

  get isBound(): boolean {
    return this.identified && !this.ended;
  }

  /** Sends every pending changeset not yet sent on this connection. */
  flushUploads(): void {
    // During a client reset the unsynced changes wait to be redone on the fresh copy.
    if (!this.isBound || this.hooks.local.pendingReset()) return;
    const pending = this.hooks.local.pendingUploads(this.lastSent);
    const serverVersion = this.hooks.local.downloadedServerVersion();
    for (const { message, clientVersions } of uploadMessages(pending, serverVersion)) {
      this.send(message);
      this.lastSent = message.progress.clientVersion;
      this.hooks.uploaded(clientVersions);
    }
  }

  sendQuery(set: StoredSubscriptionSet): void {
    if (!this.isBound) return;
    this.send({ type: "query", session: 1, queryVersion: set.version, query: queryBody(set) });
  }

  sendMark(requestId: number): void {
    if (this.isBound) this.send({ type: "mark", session: 1, requestId });
  }

  /** Ends the session from this side (pause, close): no reconnect is asked for. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.keepAlive.stop();
    this.socket.close(1000);
  }

  private end(how: SessionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.keepAlive.stop();
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(1000);
    else this.socket.terminate();
    this.hooks.end(how);
  }

  private send(message: ClientMessage): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(encodeMessage(message));
  }

  private sendIdent(): void {
    const meta = this.hooks.local.metadata();
    if (!meta.clientFileIdent) return;
    const active = this.hooks.subscriptions.active;
    // A client reset starts from an empty view and asks for the active set again: its
    // bootstrap is the fresh copy.
    const resetting = meta.reset ? active : undefined;
    this.send({
      type: "ident",
      session: 1,
      clientFileIdent: meta.clientFileIdent.ident,
      salt: meta.clientFileIdent.salt,
      download: meta.download,
      latestServerVersion: meta.latestServerVersion,
      queryVersion: resetting ? 0 : active.version,
      query: resetting ? {} : queryBody(active),
    });
    this.identified = true;
    if (resetting && resetting.version > 0) this.sendQuery(resetting);
    for (const set of this.hooks.subscriptions.pendingSets()) this.sendQuery(set);
    this.flushUploads();
    this.hooks.bound();
  }

  private receive(data: Buffer): void {
    if (this.ended) return;
    try {
      const message = decodeServerMessage(
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      );
      switch (message.type) {
        case "ident":
          this.hooks.local.saveMetadata({
            clientFileIdent: { ident: message.clientFileIdent, salt: message.salt },
          });
          this.sendIdent();
          return;
        case "download":
          this.download(message);
          return;
        case "mark":
          this.hooks.marked(message.requestId);
          return;
        case "pong":
          this.keepAlive.pong();
          return;
        case "error":
          this.error(message);
          return;
        case "queryError":
          this.hooks.log(
            "info",
            `Received: QUERY_ERROR "${message.message}" (error_code=${message.code}, query_version=${message.queryVersion})`,
          );
          this.hooks.subscriptions.failed(message.queryVersion, message.message);
          this.resetWithEmptyView(message.queryVersion);
          return;
        case "log":
          this.hooks.log(message.level, `Server log: ${message.message}`);
          return;
        case "unbound":
          this.end({ retry: false });
          return;
      }
    } catch (error) {
      this.failed(error);
    }
  }

  /** A refused set that a client reset asked for again completes the reset with an empty view. */
  private resetWithEmptyView(queryVersion: number): void {
    const mode = this.downloads.refused(queryVersion);
    if (mode) this.hooks.resetCompleted(mode);
  }

  /** A download could not be applied (now, or later behind a write transaction). */
  failed(error: unknown): void {
    if (error instanceof SyncProtocolError) {
      this.hooks.log("error", `Bad message from the server: ${error.message}`);
      this.end({ retry: true });
      return;
    }
    const code = (error as { code?: unknown }).code;
    const bad = code === SyncErrorCode.BadChangeset || code === "BadChangeset";
    const message = error instanceof Error ? error.message : String(error);
    if (bad) this.send({ type: "error", session: 1, code: SyncErrorCode.BadChangeset, message });
    this.hooks.log("error", `Failed to integrate downloaded changesets: ${message}`);
    this.end({
      retry: false,
      error: new SyncError(SyncErrorCode.BadChangeset, message, { isFatal: true, cause: error }),
    });
  }

  private download(message: DownloadMessage): void {
    const applied = this.downloads.apply(message);
    if (applied.completedReset) this.hooks.resetCompleted(applied.completedReset);
    if (applied.completedQueryVersion !== undefined)
      this.hooks.log(
        "debug",
        `Bootstrap of query version ${applied.completedQueryVersion} applied`,
      );
    this.hooks.downloaded(applied.bytes, message.progressEstimate, applied.acknowledged);
  }

  private error(message: ServerErrorMessage): void {
    const error = syncErrorFrom(message);
    this.hooks.log(
      "info",
      `Received: ERROR "${message.message}" (error_code=${message.code}, try_again=${message.tryAgain}, error_action=${message.action})`,
    );
    if (message.code === SyncErrorCode.CompensatingWrite) {
      this.hooks.log(
        "info",
        `Reporting compensating write for client version ${message.rejectedClientVersion ?? 0} in server version ${message.compensatingWriteServerVersion ?? 0}: ${message.message}`,
      );
      this.hooks.report(error);
      return;
    }
    if (message.code === SyncErrorCode.TokenExpired) {
      this.end({ retry: true, refreshToken: true });
      return;
    }
    if (
      message.action === SyncErrorAction.ClientReset ||
      message.action === "ClientResetNoRecovery"
    ) {
      const recoveryDisabled =
        message.isRecoveryModeDisabled === true || message.action === "ClientResetNoRecovery";
      this.end({ retry: false, reset: { error, recoveryDisabled } });
      return;
    }
    if (error.isFatal) this.end({ retry: false, error });
    else this.end({ retry: true });
  }
}

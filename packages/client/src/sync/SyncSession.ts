/**
 * `realm.syncSession`: the one sync session of a synced realm file in this process, with Realm
 * JS v12's controls and observations: pause/resume, connection state and its listeners,
 * progress notifications, and the waits for upload and download. It keeps a connection to the
 * server while active (SessionConnection) and wires each connection's SessionProtocol to the
 * file's local sync state, subscriptions, marks and upload tracking.
 */
import { SyncErrorAction, SyncErrorCode } from "@atoll/protocol";
import type WebSocket from "ws";
import type { BackoffOptions } from "./Backoff.js";
import { sessionLog, log } from "./logger.js";
import { MarkRequests, withTimeout } from "./MarkRequests.js";
import { ProgressNotifier } from "./ProgressNotifier.js";
import type { ProgressNotificationCallback } from "./ProgressNotifier.js";
import { SessionProtocol } from "./SessionProtocol.js";
import type { ClientResetRequest, SessionEnd } from "./SessionProtocol.js";
import { SessionConnection } from "./SessionConnection.js";
import type { ConnectionNotificationCallback } from "./SessionConnection.js";
import type { KeepAliveTimes } from "./KeepAlive.js";
import type { SubscriptionStore } from "./SubscriptionStore.js";
import { ClientResetError, SyncError } from "./SyncError.js";
import type { ClientResetHooks } from "./clientReset.js";
import type { ClientResetMode } from "./local/syncTypes.js";
import { ConnectionState, ProgressDirection, SessionState } from "./types.js";
import type { User } from "../app/User.js";
import type { LocalSyncPort, ProgressMode } from "./types.js";
import { UploadTracker } from "./UploadTracker.js";

export interface SyncSessionOptions {
  readonly user: User;
  readonly local: LocalSyncPort;
  readonly subscriptions: SubscriptionStore;
  readonly schema: Record<string, unknown>[];
  readonly schemaVersion: number;
  /** The sync part of the realm's configuration, as `session.config` returns it. */
  readonly config: object;
  readonly report: (session: SyncSession, error: SyncError) => void;
  readonly clientReset: ClientResetHooks;
  readonly backoff?: BackoffOptions;
  readonly keepAlive?: KeepAliveTimes;
}

const DEFAULT_KEEP_ALIVE: KeepAliveTimes = { pingIntervalMs: 60_000, pongTimeoutMs: 30_000 };

export class SyncSession {
  private session: SessionState = SessionState.Active;
  private readonly connection: SessionConnection;
  private paused = false;
  private stopped: SyncError | "closed" | undefined;
  private readonly progress = new ProgressNotifier();
  private readonly uploads: UploadTracker;
  private readonly marks = new MarkRequests();
  private uploadScheduled = false;
  private wasLoggedIn: boolean;
  private downloadedBytes = 0;
  private readonly log: ReturnType<typeof sessionLog>;
  private readonly detach: (() => void)[] = [];

  constructor(private readonly options: SyncSessionOptions) {
    this.log = sessionLog(options.user.app);
    this.connection = new SessionConnection({
      user: options.user,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      log: this.log,
      wanted: () => !this.paused && !this.stopped && options.user.isLoggedIn,
      bind: (socket, end) => this.bind(socket, end),
      fail: (error) => this.fail(error),
      reset: (request) => this.reset(request),
    });
    this.uploads = new UploadTracker(options.local, (transferred, transferable) =>
      this.progress.update(ProgressDirection.Upload, transferred, transferable),
    );
    this.detach.push(
      options.local.onLocalCommit(() => {
        this.uploads.committed();
        this.scheduleUpload();
      }),
      options.subscriptions.onNewSet((set) => this.connection.protocol?.sendQuery(set)),
      options.local.onIntegrateError((error) => {
        const protocol = this.connection.protocol;
        if (protocol) protocol.failed(error);
        else
          this.fail(
            new SyncError(SyncErrorCode.BadChangeset, (error as Error).message, {
              isFatal: true,
              cause: error,
            }),
          );
      }),
    );
    // Reopened in the middle of a client reset: its fresh copy is still to come.
    if (options.local.pendingReset()) options.clientReset.before();
    this.wasLoggedIn = options.user.isLoggedIn;
    const onUserChange = (): void => this.userChanged();
    options.user.addListener(onUserChange);
    this.detach.push(() => options.user.removeListener(onUserChange));
    this.connection.connect();
  }

  get user(): User {
    return this.options.user;
  }
  get config(): object {
    return this.options.config;
  }
  get connectionState(): ConnectionState {
    return this.connection.state;
  }
  get state(): SessionState {
    return this.session;
  }
  isConnected(): boolean {
    return this.connection.state === ConnectionState.Connected;
  }

  pause(): void {
    if (this.stopped) return;
    this.paused = true;
    this.session = SessionState.Inactive;
    this.connection.disconnect();
  }

  resume(): void {
    if (this.stopped || !this.paused) return;
    this.paused = false;
    this.session = SessionState.Active;
    this.connection.resetBackoff();
    this.connection.connect();
  }

  /**
   * Realm JS's `reconnect()`: a session waiting to reconnect after losing its connection tries
   * at once instead of at the end of its backoff delay (for example when the app knows the
   * network is back). Nothing happens when it is connected, connecting, paused or stopped.
   */
  reconnect(): void {
    if (this.stopped || this.paused) return;
    this.connection.reconnectNow();
  }

  /** Resolves once every changeset committed before the call is acknowledged by the server. */
  uploadAllLocalChanges(timeoutMs?: number): Promise<void> {
    if (this.stopped instanceof SyncError) return Promise.reject(this.stopped);
    return withTimeout(
      this.uploads.waitFor(this.options.local.lastClientVersion()),
      timeoutMs,
      "upload",
    );
  }

  /** Resolves once everything the server had when it got the request has been integrated. */
  downloadAllServerChanges(timeoutMs?: number): Promise<void> {
    if (this.stopped instanceof SyncError) return Promise.reject(this.stopped);
    const wait = this.marks.request((requestId) => this.connection.protocol?.sendMark(requestId));
    return withTimeout(wait, timeoutMs, "download");
  }

  /** The seeds' name for uploadAllLocalChanges. */
  waitForUpload(timeoutMs?: number): Promise<void> {
    return this.uploadAllLocalChanges(timeoutMs);
  }

  /** The seeds' name for downloadAllServerChanges. */
  waitForDownload(timeoutMs?: number): Promise<void> {
    return this.downloadAllServerChanges(timeoutMs);
  }

  addProgressNotification(
    direction: ProgressDirection,
    mode: ProgressMode,
    callback: ProgressNotificationCallback,
  ): void {
    this.progress.add(direction, mode, callback);
  }

  removeProgressNotification(callback: ProgressNotificationCallback): void {
    this.progress.remove(callback);
  }

  addConnectionNotification(callback: ConnectionNotificationCallback): void {
    this.connection.addListener(callback);
  }

  removeConnectionNotification(callback: ConnectionNotificationCallback): void {
    this.connection.removeListener(callback);
  }

  /** Ends the session for good (the last realm on the file closed). */
  close(): void {
    if (this.stopped) return;
    this.stopped = "closed";
    this.session = SessionState.Inactive;
    for (const undo of this.detach.splice(0)) undo();
    this.connection.disconnect();
  }

  /**
   * Uploads once the code that committed has run to its end (a microtask, not a turn of the
   * event loop, which would wait behind every pending I/O callback), so a burst of commits
   * still goes in one message.
   */
  private scheduleUpload(): void {
    if (this.uploadScheduled) return;
    this.uploadScheduled = true;
    queueMicrotask(() => {
      this.uploadScheduled = false;
      this.connection.protocol?.flushUploads();
    });
  }

  /** A user who logs out takes the session offline; logging in again brings it back. */
  /**
   * The server no longer accepts the user (its session ended elsewhere, or the user was
   * disabled): as in Realm, the user is logged out here and the session goes inactive, not
   * invalid; its waits stay pending, and it resumes when the user logs in again.
   */
  private userRefused(error: SyncError, report: boolean): void {
    this.session = SessionState.Inactive;
    this.connection.disconnect();
    log("error", `SyncSessionError: ${error.message} (code ${error.code})`);
    if (report) this.options.report(this, error);
    void this.options.user.logOut();
  }

  private userChanged(): void {
    const loggedIn = this.options.user.isLoggedIn;
    if (loggedIn === this.wasLoggedIn) return; // a token refresh, not a log-in or log-out
    this.wasLoggedIn = loggedIn;
    if (!loggedIn) {
      if (this.stopped) return;
      this.session = SessionState.Inactive;
      this.connection.disconnect();
    } else if (!this.stopped && !this.paused) {
      this.session = SessionState.Active;
      this.connection.connect();
    }
  }

  private bind(socket: WebSocket, end: (how: SessionEnd) => void): SessionProtocol {
    const protocol: SessionProtocol = new SessionProtocol(
      socket,
      {
        local: this.options.local,
        subscriptions: this.options.subscriptions,
        schema: this.options.schema,
        schemaVersion: this.options.schemaVersion,
        log: this.log,
        keepAlive: this.options.keepAlive ?? DEFAULT_KEEP_ALIVE,
        report: (error) => this.options.report(this, error),
        downloaded: (bytes, estimate, acknowledged) =>
          this.downloaded(bytes, estimate, acknowledged),
        uploaded: (versions) => this.uploads.sent(versions),
        marked: (requestId) => this.marks.answered(requestId, this.options.local.whenIdle()),
        bound: () => this.marks.resend((requestId) => protocol.sendMark(requestId)),
        resetCompleted: (mode) => this.resetCompleted(mode),
        end,
      },
      this.uploads.acknowledged,
    );
    return protocol;
  }

  private downloaded(bytes: number, estimate: number, acknowledged: number | undefined): void {
    this.connection.resetBackoff();
    this.downloadedBytes += bytes;
    const transferable =
      estimate > 0 && estimate < 1 ? this.downloadedBytes / estimate : this.downloadedBytes;
    this.progress.update(ProgressDirection.Download, this.downloadedBytes, transferable);
    if (acknowledged === undefined) return;
    void this.options.local.whenIdle().then(() => this.uploads.acknowledge(acknowledged));
  }

  /**
   * The server asked for a client reset: the file takes a new identity and waits for a fresh
   * copy of its view, or (manual mode, or recovery the app does not allow) the session stops
   * and the app is told.
   */
  private reset(request: ClientResetRequest): void {
    const { clientReset, local } = this.options;
    const plan = clientReset.plan(request.recoveryDisabled);
    const { error } = request;
    if (plan.kind === "handOver" || local.pendingReset()) {
      const handOver = new ClientResetError(error, clientReset.path);
      if (plan.kind === "handOver" && plan.callback) {
        this.fail(handOver, false);
        plan.callback(this, clientReset.path);
      } else this.fail(handOver);
      return;
    }
    log(
      "info",
      `Client reset required: ${error.message} (error_code=${error.code}); ${plan.mode === "recover" ? "recovering" : "discarding"} unsynced changes over a fresh copy from the server`,
    );
    clientReset.before();
    local.beginClientReset({
      mode: plan.mode,
      queryVersion: this.options.subscriptions.active.version,
    });
    this.connection.resetBackoff();
    this.connection.connect();
  }

  private resetCompleted(mode: ClientResetMode): void {
    void this.options.local.whenIdle().then(() => {
      log(
        "info",
        `Client reset complete: unsynced changes ${mode === "recover" ? "recovered" : "discarded"}`,
      );
      if (mode === "discard") this.uploads.dropped();
      this.options.clientReset.after(mode);
      this.scheduleUpload();
    });
  }

  private fail(error: SyncError, report = true): void {
    if (error.action === SyncErrorAction.LogOutUser) {
      this.userRefused(error, report);
      return;
    }
    this.stopped = error;
    this.session = SessionState.Invalid;
    this.connection.disconnect();
    log("error", `SyncSessionError: ${error.message} (code ${error.code})`);
    if (report) this.options.report(this, error);
    this.marks.rejectAll(error);
    this.uploads.abandon(error);
    this.options.subscriptions.abandon(error);
  }
}

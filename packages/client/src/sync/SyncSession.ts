/**
 * `realm.syncSession`: the one sync session of a synced realm file in this process. It keeps a
 * connection to the server while active — connecting, reconnecting with backoff, refreshing the
 * access token when the server says it expired — and offers Realm JS v12's controls and
 * observations: pause/resume, connection state and its listeners, progress notifications, and
 * the waits for upload and download.
 */
import type WebSocket from "ws";
import { Backoff } from "./Backoff.js";
import type { BackoffOptions } from "./Backoff.js";
import { sessionLog, log } from "./logger.js";
import { openSocket } from "./openSocket.js";
import { MarkRequests, withTimeout } from "./MarkRequests.js";
import { ProgressNotifier } from "./ProgressNotifier.js";
import type { ProgressNotificationCallback } from "./ProgressNotifier.js";
import { SessionProtocol } from "./SessionProtocol.js";
import type { KeepAlive, SessionEnd } from "./SessionProtocol.js";
import type { SubscriptionStore } from "./SubscriptionStore.js";
import { SyncError } from "./SyncError.js";
import { ConnectionState, ProgressDirection, SessionState } from "./types.js";
import type { User } from "../app/User.js";
import type { LocalSyncPort, ProgressMode } from "./types.js";
import { UploadTracker } from "./UploadTracker.js";

export type ConnectionNotificationCallback = (
  newState: ConnectionState,
  oldState: ConnectionState,
) => void;

export interface SyncSessionOptions {
  readonly user: User;
  readonly local: LocalSyncPort;
  readonly subscriptions: SubscriptionStore;
  readonly schema: Record<string, unknown>[];
  readonly schemaVersion: number;
  /** The sync part of the realm's configuration, as `session.config` returns it. */
  readonly config: object;
  readonly report: (session: SyncSession, error: SyncError) => void;
  readonly backoff?: BackoffOptions;
  readonly keepAlive?: KeepAlive;
}

const DEFAULT_KEEP_ALIVE: KeepAlive = { pingIntervalMs: 60_000, pongTimeoutMs: 30_000 };

/** Connection numbers count per app, as realm-core's log lines show them. */
const connectionCounters = new WeakMap<object, number>();

function nextConnectionNumber(app: object): number {
  const next = (connectionCounters.get(app) ?? 0) + 1;
  connectionCounters.set(app, next);
  return next;
}

export class SyncSession {
  private connection: ConnectionState = ConnectionState.Disconnected;
  private session: SessionState = SessionState.Active;
  private protocol: SessionProtocol | undefined;
  private paused = false;
  private stopped: SyncError | "closed" | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;
  private readonly connectionListeners = new Set<ConnectionNotificationCallback>();
  private readonly progress = new ProgressNotifier();
  private readonly uploads: UploadTracker;
  private readonly marks = new MarkRequests();
  private uploadScheduled = false;
  private wasLoggedIn: boolean;
  private downloadedBytes = 0;
  private readonly log: ReturnType<typeof sessionLog>;
  private readonly detach: (() => void)[] = [];

  constructor(private readonly options: SyncSessionOptions) {
    this.backoff = new Backoff(options.backoff);
    this.log = sessionLog(nextConnectionNumber(options.user.app));
    this.uploads = new UploadTracker(options.local, (transferred, transferable) =>
      this.progress.update(ProgressDirection.Upload, transferred, transferable),
    );
    this.detach.push(
      options.local.onLocalCommit(() => {
        this.uploads.committed();
        this.scheduleUpload();
      }),
      options.subscriptions.onNewSet((set) => this.protocol?.sendQuery(set)),
      options.local.onIntegrateError((error) => {
        if (this.protocol) this.protocol.failed(error);
        else
          this.fail(new SyncError(212, (error as Error).message, { isFatal: true, cause: error }));
      }),
    );
    this.wasLoggedIn = options.user.isLoggedIn;
    const onUserChange = (): void => this.userChanged();
    options.user.addListener(onUserChange);
    this.detach.push(() => options.user.removeListener(onUserChange));
    this.connect();
  }

  get user(): User {
    return this.options.user;
  }
  get config(): object {
    return this.options.config;
  }
  get connectionState(): ConnectionState {
    return this.connection;
  }
  get state(): SessionState {
    return this.session;
  }
  isConnected(): boolean {
    return this.connection === ConnectionState.Connected;
  }

  pause(): void {
    if (this.stopped) return;
    this.paused = true;
    this.session = SessionState.Inactive;
    this.disconnect();
  }

  resume(): void {
    if (this.stopped || !this.paused) return;
    this.paused = false;
    this.session = SessionState.Active;
    this.backoff.reset();
    this.connect();
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
    const wait = this.marks.request((requestId) => this.protocol?.sendMark(requestId));
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
    this.connectionListeners.add(callback);
  }

  removeConnectionNotification(callback: ConnectionNotificationCallback): void {
    this.connectionListeners.delete(callback);
  }

  /** Ends the session for good (the last realm on the file closed). */
  close(): void {
    if (this.stopped) return;
    this.stopped = "closed";
    this.session = SessionState.Inactive;
    for (const undo of this.detach.splice(0)) undo();
    this.disconnect();
  }

  /** Uploads once per turn of the event loop, so a burst of commits goes in one message. */
  private scheduleUpload(): void {
    if (this.uploadScheduled) return;
    this.uploadScheduled = true;
    setImmediate(() => {
      this.uploadScheduled = false;
      this.protocol?.flushUploads();
    });
  }

  private setConnection(state: ConnectionState): void {
    const old = this.connection;
    if (old === state) return;
    this.connection = state;
    for (const listener of [...this.connectionListeners]) listener(state, old);
  }

  private disconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const protocol = this.protocol;
    this.protocol = undefined;
    protocol?.close();
    this.setConnection(ConnectionState.Disconnected);
  }

  private get wantsConnection(): boolean {
    return !this.paused && !this.stopped && this.options.user.isLoggedIn;
  }

  /** A user who logs out takes the session offline; logging in again brings it back. */
  private userChanged(): void {
    const loggedIn = this.options.user.isLoggedIn;
    if (loggedIn === this.wasLoggedIn) return; // a token refresh, not a log-in or log-out
    this.wasLoggedIn = loggedIn;
    if (!loggedIn) {
      if (this.stopped) return;
      this.session = SessionState.Inactive;
      this.disconnect();
    } else if (!this.stopped && !this.paused) {
      this.session = SessionState.Active;
      this.connect();
    }
  }

  private connect(refreshedToken = false): void {
    if (!this.wantsConnection || this.protocol || this.connection === ConnectionState.Connecting)
      return;
    this.setConnection(ConnectionState.Connecting);
    void this.open(refreshedToken);
  }

  private async open(refreshedToken: boolean): Promise<void> {
    const user = this.options.user;
    try {
      const url = await user.app.syncRoute();
      if (!this.wantsConnection) return this.setConnection(ConnectionState.Disconnected);
      const outcome = await openSocket(url, user.accessToken);
      if (!this.wantsConnection) {
        if (outcome.kind === "open") outcome.socket.close(1000);
        return this.setConnection(ConnectionState.Disconnected);
      }
      if (outcome.kind === "unauthorized") {
        this.setConnection(ConnectionState.Disconnected);
        if (refreshedToken) return this.retryLater("the server refused the refreshed access token");
        await this.refreshThenConnect();
        return;
      }
      if (outcome.kind === "failed") return this.retryLater(outcome.error.message);
      this.attach(outcome.socket);
    } catch (error) {
      this.retryLater((error as Error).message);
    }
  }

  private attach(socket: WebSocket): void {
    const protocol = new SessionProtocol(
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
        end: (how) => this.ended(protocol, how),
      },
      this.uploads.acknowledged,
    );
    this.protocol = protocol;
    this.setConnection(ConnectionState.Connected);
    this.log("debug", "Connected");
    protocol.start();
  }

  private downloaded(bytes: number, estimate: number, acknowledged: number | undefined): void {
    this.backoff.reset();
    this.downloadedBytes += bytes;
    const transferable =
      estimate > 0 && estimate < 1 ? this.downloadedBytes / estimate : this.downloadedBytes;
    this.progress.update(ProgressDirection.Download, this.downloadedBytes, transferable);
    if (acknowledged === undefined) return;
    void this.options.local.whenIdle().then(() => this.uploads.acknowledge(acknowledged));
  }

  private ended(protocol: SessionProtocol, how: SessionEnd): void {
    if (this.protocol !== protocol) return;
    this.protocol = undefined;
    this.setConnection(ConnectionState.Disconnected);
    if (how.error) {
      this.fail(how.error);
      return;
    }
    if (!how.retry) return;
    if (how.refreshToken) void this.refreshThenConnect();
    else this.retryLater("the connection closed");
  }

  private async refreshThenConnect(): Promise<void> {
    try {
      await this.options.user.refreshAccessToken();
    } catch (error) {
      this.fail(
        new SyncError(203, `Could not refresh the access token: ${(error as Error).message}`, {
          isFatal: true,
          action: "LogOutUser",
          cause: error,
        }),
      );
      return;
    }
    this.connect(true);
  }

  private retryLater(reason: string): void {
    this.setConnection(ConnectionState.Disconnected);
    if (!this.wantsConnection || this.reconnectTimer) return;
    const delay = this.backoff.next();
    this.log("debug", `Reconnecting in ${delay} ms (${reason})`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, delay);
  }

  private fail(error: SyncError): void {
    this.stopped = error;
    this.session = SessionState.Invalid;
    this.disconnect();
    log("error", `SyncSessionError: ${error.message} (code ${error.code})`);
    this.options.report(this, error);
    this.marks.rejectAll(error);
    this.uploads.abandon(error);
    this.options.subscriptions.abandon(error);
  }
}

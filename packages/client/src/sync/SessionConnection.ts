/**
 * The connection of one sync session: connecting (the app's sync route, the user's access
 * token), reconnecting with backoff when it drops, refreshing the access token when the server
 * refuses it (HTTP 401 at connect, error 202 later), and the connection state with its
 * listeners. What runs over an open socket is the SessionProtocol the session builds (`bind`);
 * whether a connection is wanted at all (paused, stopped, logged out) is the session's call.
 */
import { SyncErrorAction, SyncErrorCode } from "@atoll/protocol";
import type WebSocket from "ws";
import type { User } from "../app/User.js";
import { Backoff } from "./Backoff.js";
import type { BackoffOptions } from "./Backoff.js";
import type { sessionLog } from "./logger.js";
import { openSocket } from "./openSocket.js";
import type { ClientResetRequest, SessionEnd, SessionProtocol } from "./SessionProtocol.js";
import { SyncError } from "./SyncError.js";
import { ConnectionState } from "./types.js";

export type ConnectionNotificationCallback = (
  newState: ConnectionState,
  oldState: ConnectionState,
) => void;

export interface SessionConnectionOptions {
  readonly user: User;
  readonly backoff?: BackoffOptions;
  readonly log: ReturnType<typeof sessionLog>;
  /** False while the session is paused, stopped or its user logged out. */
  wanted(): boolean;
  /** Builds the protocol over a freshly opened socket; it must call `end` when it ends. */
  bind(socket: WebSocket, end: (how: SessionEnd) => void): SessionProtocol;
  /** A fatal error: the session stops. */
  fail(error: SyncError): void;
  /** The server asked for a client reset. */
  reset(request: ClientResetRequest): void;
}

export class SessionConnection {
  private current: ConnectionState = ConnectionState.Disconnected;
  private bound: SessionProtocol | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Numbers connection attempts: one overtaken by a disconnect or a newer attempt never binds. */
  private attempt = 0;
  private readonly backoff: Backoff;
  private readonly listeners = new Set<ConnectionNotificationCallback>();

  constructor(private readonly options: SessionConnectionOptions) {
    this.backoff = new Backoff(options.backoff);
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The protocol of the open connection, if there is one. */
  get protocol(): SessionProtocol | undefined {
    return this.bound;
  }

  addListener(callback: ConnectionNotificationCallback): void {
    this.listeners.add(callback);
  }

  removeListener(callback: ConnectionNotificationCallback): void {
    this.listeners.delete(callback);
  }

  /** The server answered: the next reconnect starts from the shortest delay again. */
  resetBackoff(): void {
    this.backoff.reset();
  }

  connect(refreshedToken = false): void {
    if (!this.options.wanted() || this.bound || this.current === ConnectionState.Connecting) return;
    this.setState(ConnectionState.Connecting);
    void this.open(++this.attempt, refreshedToken);
  }

  /**
   * Connects now, from the shortest delay again, when a reconnect is waiting out its backoff;
   * nothing otherwise (connected, connecting, or not wanted).
   */
  reconnectNow(): void {
    if (!this.reconnectTimer) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.backoff.reset();
    this.connect();
  }

  /** Closes the connection from this side (no reconnect) and cancels a pending reconnect. */
  disconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.attempt++;
    const protocol = this.bound;
    this.bound = undefined;
    protocol?.close();
    this.setState(ConnectionState.Disconnected);
  }

  private setState(state: ConnectionState): void {
    const old = this.current;
    if (old === state) return;
    this.current = state;
    for (const listener of [...this.listeners]) listener(state, old);
  }

  private async open(attempt: number, refreshedToken: boolean): Promise<void> {
    const user = this.options.user;
    const overtaken = () => attempt !== this.attempt;
    try {
      const url = await user.app.syncRoute();
      if (overtaken()) return;
      if (!this.options.wanted()) return this.setState(ConnectionState.Disconnected);
      const outcome = await openSocket(url, user.accessToken);
      if (overtaken()) {
        if (outcome.kind === "open") outcome.socket.close(1000);
        return;
      }
      if (!this.options.wanted()) {
        if (outcome.kind === "open") outcome.socket.close(1000);
        return this.setState(ConnectionState.Disconnected);
      }
      if (outcome.kind === "unauthorized") {
        this.setState(ConnectionState.Disconnected);
        if (refreshedToken) return this.retryLater("the server refused the refreshed access token");
        await this.refreshThenConnect();
        return;
      }
      if (outcome.kind === "failed") return this.retryLater(outcome.error.message);
      this.attach(outcome.socket);
    } catch (error) {
      if (!overtaken()) this.retryLater((error as Error).message);
    }
  }

  private attach(socket: WebSocket): void {
    const protocol = this.options.bind(socket, (how) => this.ended(protocol, how));
    this.bound = protocol;
    this.setState(ConnectionState.Connected);
    this.options.log("debug", "Connected");
    protocol.start();
  }

  private ended(protocol: SessionProtocol, how: SessionEnd): void {
    if (this.bound !== protocol) return;
    this.bound = undefined;
    this.setState(ConnectionState.Disconnected);
    if (how.error) {
      this.options.fail(how.error);
      return;
    }
    if (how.reset) {
      this.options.reset(how.reset);
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
      this.options.fail(
        new SyncError(
          SyncErrorCode.BadAuthentication,
          `Could not refresh the access token: ${(error as Error).message}`,
          {
            isFatal: true,
            action: SyncErrorAction.LogOutUser,
            cause: error,
          },
        ),
      );
      return;
    }
    this.connect(true);
  }

  private retryLater(reason: string): void {
    this.setState(ConnectionState.Disconnected);
    if (!this.options.wanted() || this.reconnectTimer) return;
    const delay = this.backoff.next();
    this.options.log("debug", `Reconnecting in ${delay} ms (${reason})`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, delay);
  }
}

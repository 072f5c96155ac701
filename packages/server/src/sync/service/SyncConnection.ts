/**
 * One client WebSocket connection: decodes and validates every frame, routes it to its
 * session, and turns failures into protocol errors. All work of the connection (incoming
 * messages and session wake-ups) runs in one queue, in order. A fatal error (or an expired
 * token) is sent to the client, then this connection alone is closed; input never brings the
 * process down.
 */
import {
  RECOVERY_MODE_FLAG_VERSION,
  SYNC_ERRORS,
  SyncErrorCode,
  SyncProtocolError,
  type ClientMessage,
  type ServerMessage,
} from "@atoll/protocol";
import type { RawData, WebSocket } from "ws";
import type { ConnectionAccess } from "./ConnectionAccess.js";
import type { SessionHost } from "./SessionHost.js";
import { SyncSession } from "./SyncSession.js";
import type { SyncService } from "./SyncService.js";
import type { SyncWire } from "./SyncWire.js";

/** Bytes a connection may have waiting to be written before a bulk sender waits for them. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

export class SyncConnection {
  private queue: Promise<void> = Promise.resolve();
  /** Senders waiting for the outgoing buffer to drain below the high-water mark. */
  private waiting: ((open: boolean) => void)[] = [];
  private readonly sessions = new Map<number, SyncSession>();
  /** Sessions a fatal error ended while the connection stays open (see SyncWire). */
  private readonly failedSessions = new Set<number>();
  private closed = false;

  constructor(
    private readonly service: SyncService,
    private readonly socket: WebSocket,
    private readonly accessToken: string,
    private readonly userId: string,
    private readonly wire: SyncWire,
    readonly access: ConnectionAccess,
  ) {
    socket.binaryType = "nodebuffer";
    socket.on("message", (data, isBinary) => this.receive(data, isBinary));
    socket.on("close", () => this.shutDown());
    socket.on("error", () => this.shutDown());
    if (wire.protocolVersion === undefined) {
      this.fail(
        0,
        new SyncProtocolError(
          SyncErrorCode.WrongProtocolVersion,
          "The client offered no sync protocol version this server speaks",
        ),
      );
    }
  }

  /** Closes the connection (server shutting down). */
  terminate(): void {
    this.shutDown();
    this.socket.terminate();
  }

  /**
   * The node is draining: tells the client the connection closes for no fault of its own
   * (connection_closed, 100: transient, try again; no reset), so it reconnects, through the
   * load balancer, to another node and resumes from its cursor; then closes the connection.
   */
  drain(): void {
    if (this.closed) return;
    this.fail(
      0,
      new SyncProtocolError(
        SyncErrorCode.ConnectionClosed,
        "This server node is shutting down; reconnect",
      ),
    );
    this.close(1001);
  }

  /** Tells the client its access ended (`error`) and closes the connection. */
  revoke(error: SyncProtocolError): void {
    if (!this.closed) this.fail(0, error);
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    let messages: ClientMessage[];
    let bytes = 0;
    try {
      if (!isBinary)
        throw new SyncProtocolError(SyncErrorCode.BadSyntax, "Text frames are not accepted");
      const frame = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      bytes = frame.length;
      messages = this.wire.decode(frame);
    } catch (error) {
      this.fail(0, error);
      return;
    }
    const changesets = messages.reduce(
      (sum, m) => sum + (m.type === "upload" ? m.changesets.length : 0),
      0,
    );
    if (changesets > 0) this.service.metrics.uploaded(bytes, changesets);
    for (const message of messages)
      this.enqueue(() => this.handle(message), "session" in message ? message.session : 0);
  }

  private enqueue(task: () => Promise<void>, session = 0): void {
    this.queue = this.queue.then(async () => {
      if (this.closed) return;
      try {
        await task();
      } catch (error) {
        this.fail(session, error);
      }
    });
  }

  private async handle(message: ClientMessage): Promise<void> {
    // The error ended the session: its unbind is answered by nothing (the error stood for
    // unbound), and what the client sent before it saw the error is dropped.
    if ("session" in message && this.failedSessions.has(message.session)) {
      if (message.type === "unbind") this.failedSessions.delete(message.session);
      return;
    }
    await this.wire.admit?.(message);
    const answer = this.wire.answer?.(message);
    if (answer !== undefined) {
      this.send(answer);
      return;
    }
    if (message.type === "ping") {
      this.send({ type: "pong", timestamp: message.timestamp });
      return;
    }
    if (message.type === "bind") {
      if (this.sessions.has(message.session))
        throw new SyncProtocolError(
          SyncErrorCode.ReuseOfSessionIdent,
          `Session ${message.session} is already bound on this connection`,
        );
      const session = await SyncSession.bind(this.service, this.host(), message);
      this.sessions.set(message.session, session);
      return;
    }
    const session = this.sessions.get(message.session);
    if (!session) {
      throw new SyncProtocolError(
        SyncErrorCode.BadSessionIdent,
        `'${message.type}' names session ${message.session}, which is not bound`,
      );
    }
    switch (message.type) {
      case "ident":
        return session.ident(message);
      case "query":
        return session.query(message);
      case "upload":
        await this.access.check();
        return session.upload(message);
      case "mark":
        return session.mark(message.requestId);
      case "unbind":
        session.end();
        this.sessions.delete(message.session);
        this.send({ type: "unbound", session: message.session });
        return;
      case "error":
        await this.service.record({
          type: "sync",
          outcome: "error",
          userId: this.userId,
          message: `client reported error ${message.code} (${SYNC_ERRORS[message.code as SyncErrorCode]?.name ?? "unknown"}): ${message.message}`,
          details: { code: message.code, clientFileIdent: session.file.ident },
        });
        session.end();
        this.sessions.delete(message.session);
        this.close();
        return;
    }
  }

  private host(): SessionHost {
    return {
      accessToken: this.accessToken,
      send: (message) => this.send(message),
      writable: () => this.writable(),
      enqueue: (task) => this.enqueue(task),
    };
  }

  private send(message: ServerMessage): void {
    if (this.closed) return;
    const frame = this.wire.encode(message);
    if (frame instanceof Uint8Array) {
      if (message.type === "download")
        this.service.metrics.downloaded(frame.length, message.changesets.length);
      this.socket.send(frame, () => this.flushed());
      return;
    }
    this.shutDown();
    this.socket.close(frame.closeCode, frame.reason);
  }

  private writable(): Promise<boolean> {
    if (this.closed || this.socket.bufferedAmount < HIGH_WATER_BYTES)
      return new Promise((resolve) => setImmediate(() => resolve(!this.closed)));
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** A frame was written out (or failed): wake the waiting senders once below the mark. */
  private flushed(): void {
    if (!this.closed && this.socket.bufferedAmount >= HIGH_WATER_BYTES) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve(!this.closed);
  }

  /** Reports `error` to the client; fatal errors and expired tokens then close the connection. */
  private fail(session: number, error: unknown): void {
    const known = error instanceof SyncProtocolError;
    const failure = known
      ? error
      : new SyncProtocolError(
          SyncErrorCode.OtherSessionError,
          "The server could not handle a message",
        );
    const info = SYNC_ERRORS[failure.code];
    // Connection-level errors (1xx) belong to session 0.
    const target = failure.code < 200 ? 0 : session;
    this.send({
      type: "error",
      session: target,
      code: failure.code,
      message: failure.message,
      tryAgain: !info.fatal,
      action: info.action,
      // Clients of protocol version 1 know no such field (their decoder refuses unknown ones).
      ...(info.action === "ClientReset" &&
      (this.wire.protocolVersion ?? 0) >= RECOVERY_MODE_FLAG_VERSION
        ? { isRecoveryModeDisabled: this.service.recoveryModeDisabled }
        : {}),
    });
    this.service.recordInBackground({
      type: "sync",
      outcome: "error",
      userId: this.userId,
      message: `${failure.message} (ProtocolErrorCode=${failure.code})`,
      details: {
        code: failure.code,
        name: info.name,
        session: target,
        ...(known ? {} : { cause: error instanceof Error ? error.message : String(error) }),
      },
    });
    const sessionAlone =
      this.wire.sessionErrorsKeepConnection === true &&
      known &&
      target !== 0 &&
      failure.code !== SyncErrorCode.TokenExpired;
    if (!sessionAlone) {
      if (info.fatal || failure.code === SyncErrorCode.TokenExpired || !known) this.close();
      return;
    }
    if (!info.fatal) return;
    this.sessions.get(target)?.end();
    this.sessions.delete(target);
    this.failedSessions.add(target);
  }

  private close(code = 1000): void {
    if (this.closed) return;
    this.shutDown();
    this.socket.close(code);
  }

  private shutDown(): void {
    this.closed = true;
    this.flushed();
    for (const session of this.sessions.values()) session.end();
    this.sessions.clear();
  }
}

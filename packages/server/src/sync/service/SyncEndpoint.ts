/**
 * The sync WebSocket endpoint, `/api/client/v2.0/app/<appId>/realm-sync`, attached to the
 * HTTP server's `upgrade` event. The access token (`Authorization: Bearer` or `?baas_at=`)
 * is checked before the upgrade: a bad or expired one gets HTTP 401, which makes the client
 * refresh it once and reconnect. The subprotocol is negotiated here: `atoll-sync#N` for Atoll
 * clients, else `com.mongodb.realm-query-sync#N` for native Realm apps (realm-core), whose
 * messages `RealmWire` translates.
 * Connections whose user or session loses access are closed (see `ConnectionAccess`): at once
 * when it happened on this node; on the other nodes of the same database when the revoking
 * node's wake-up on `ACCESS_CHANNEL` makes them re-check their connections.
 */
import { negotiateProtocolVersion, subprotocolFor, SyncProtocolError } from "@atoll/protocol";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Caller } from "../../auth/AuthService.js";
import { tokenOf } from "../../http/bearer.js";
import type { UpgradeHandler } from "../../http/listen.js";
import { accessEnded, ConnectionAccess, DEFAULT_ACCESS_SWEEP_MS } from "./ConnectionAccess.js";
import { SyncConnection } from "./SyncConnection.js";
import type { SyncService } from "./SyncService.js";
import { AtollWire, type SyncWire } from "./SyncWire.js";
import {
  negotiateRealmProtocolVersion,
  offersRealmProtocol,
  realmSubprotocolFor,
} from "../realm/realmSubprotocol.js";
import { realmWireFor } from "../realm/realmWireFor.js";

/** Frames above the protocol limit but below this are refused with limits_exceeded (104); larger ones end the connection at once. */
const HARD_LIMIT_FACTOR = 2;

/** The storage channel a node notifies after a user or session lost access through it. */
export const ACCESS_CHANNEL = "atoll_access";

export class SyncEndpoint {
  private readonly server: WebSocketServer;
  private readonly connections = new Set<SyncConnection>();
  private readonly path: string;
  private readonly stopWatchingAccess: () => void;
  private draining = false;

  constructor(
    private readonly service: SyncService,
    options: { accessSweepMs?: number } = {},
  ) {
    this.path = `/api/client/v2.0/app/${service.config.appId}/realm-sync`;
    this.server = new WebSocketServer({
      noServer: true,
      maxPayload: service.maxMessageBytes * HARD_LIMIT_FACTOR,
      handleProtocols: (offered) => {
        const version = negotiateProtocolVersion(offered);
        if (version !== undefined) return subprotocolFor(version);
        const realm = negotiateRealmProtocolVersion(offered);
        // Without a shared version the upgrade still succeeds, so the client can be told why (105).
        return realm === undefined ? false : realmSubprotocolFor(realm);
      },
    });
    const unsubscribe = service.auth.revocations.subscribe((revocation) => {
      for (const connection of this.connections)
        if (connection.access.endedBy(revocation))
          connection.revoke(accessEnded(revocation.reason));
      service.storage.notify(ACCESS_CHANNEL).catch((error: unknown) =>
        service.recordInBackground({
          type: "sync",
          outcome: "error",
          message: `could not tell the other nodes that access ended: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
    });
    const stopListening = service.storage.listen(ACCESS_CHANNEL, () => this.sweepAccess());
    const sweep = setInterval(
      () => this.sweepAccess(),
      options.accessSweepMs ?? DEFAULT_ACCESS_SWEEP_MS,
    );
    sweep.unref();
    this.stopWatchingAccess = () => {
      unsubscribe();
      stopListening();
      clearInterval(sweep);
    };
  }

  readonly handleUpgrade: UpgradeHandler = (request, socket, head) => {
    // Node leaves an upgrade socket without an error listener; a client resetting it while the
    // token is checked would otherwise be an uncaught exception that ends the server.
    socket.on("error", () => socket.destroy());
    void this.upgrade(request, socket, head).catch(() => socket.destroy());
  };

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * The node is draining: new connections are refused (503) and each open one is told to
   * reconnect (see `SyncConnection.drain`), which its client does through the load balancer.
   */
  drain(): void {
    this.draining = true;
    for (const connection of this.connections) connection.drain();
  }

  close(): void {
    this.stopWatchingAccess();
    for (const connection of this.connections) connection.terminate();
    this.connections.clear();
    this.server.close();
  }

  /** Closes the connections whose user or session lost access through another process. */
  private sweepAccess(): void {
    for (const connection of this.connections) {
      connection.access.check().catch((error: unknown) => {
        if (error instanceof SyncProtocolError) connection.revoke(error);
      });
    }
  }

  /** Atoll's protocol if offered, else realm-core's; undefined for a realm-core client without a version in common. */
  private wireFor(offered: readonly string[], userId: string): SyncWire | undefined {
    const version = negotiateProtocolVersion(offered);
    if (version !== undefined)
      return new AtollWire(version, this.service.maxMessageBytes, () => this.service.model.schema);
    const realm = negotiateRealmProtocolVersion(offered);
    if (realm !== undefined) return realmWireFor(this.service, userId, realm);
    if (offersRealmProtocol(offered)) return undefined;
    return new AtollWire(undefined, this.service.maxMessageBytes);
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname !== this.path) return refuse(socket, 404, "NotFound", "no sync endpoint here");
    if (this.draining)
      return refuse(socket, 503, "ServiceUnavailable", "this node is shutting down; reconnect");
    const token = tokenOf(request.headers.authorization, url.searchParams.get("baas_at"));
    let caller: Caller;
    try {
      if (token === undefined) throw new Error("invalid session: must authenticate first");
      caller = await this.service.auth.authenticate(token);
    } catch (error) {
      return refuse(
        socket,
        401,
        "InvalidSession",
        error instanceof Error ? error.message : "invalid session",
      );
    }
    const offered = (request.headers["sec-websocket-protocol"] ?? "").split(",");
    const wire = this.wireFor(offered, caller.user.id);
    if (wire === undefined)
      // realm-core fails (and may crash) on a 101 that names no subprotocol: refuse it plainly.
      return refuse(socket, 400, "BadRequest", "no sync protocol version in common");
    this.server.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const access = new ConnectionAccess(this.service.auth, caller.user.id, caller.sessionId);
      const connection = new SyncConnection(this.service, ws, token, caller.user.id, wire, access);
      this.connections.add(connection);
      ws.on("close", () => this.connections.delete(connection));
    });
  }
}

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: message, error_code: code });
  const reason =
    { 400: "Bad Request", 401: "Unauthorized", 503: "Service Unavailable" }[status] ?? "Not Found";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

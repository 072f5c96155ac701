/**
 * A stand-in sync server for tests that need to script what the server says: a WebSocket
 * server on a free port that records every client message and lets the test answer, and an
 * App whose location endpoint points its sync route there (login and the rest of the HTTP API
 * still go to the real server).
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { WebSocketServer } from "ws";
import { App } from "@atoll/client";
import { decodeClientMessage, encodeMessage, SUBPROTOCOL_PREFIX } from "@atoll/protocol";
import type { ClientMessage, ServerMessage } from "@atoll/protocol";
import { useApps } from "../../packages/client/src/test-support/appClients.js";
import type { TestAppServer } from "../../packages/client/src/test-support/appServer.js";

/** Answers one client message; `send` writes to the connection it came on. */
export type StandInHandler = (
  message: ClientMessage,
  send: (message: ServerMessage) => void,
) => void;

export interface StandInSyncServer {
  /** Every client message received, in order, over all connections. */
  readonly received: ClientMessage[];
  /** An App on the real server whose sync route leads to the stand-in. */
  app(): App;
}

export function useStandInSyncServer(
  server: () => TestAppServer,
  handle: StandInHandler,
): StandInSyncServer {
  const newApp = useApps();
  const received: ClientMessage[] = [];
  let standIn: WebSocketServer | undefined;

  beforeAll(async () => {
    const wss = new WebSocketServer({
      port: 0,
      host: "127.0.0.1",
      handleProtocols: (offered) =>
        [...offered].find((p) => p.startsWith(SUBPROTOCOL_PREFIX)) ?? false,
    });
    standIn = wss;
    await once(wss, "listening");
    wss.on("connection", (socket) => {
      const send = (message: ServerMessage): void => socket.send(encodeMessage(message));
      socket.on("message", (data: Buffer) => {
        const message = decodeClientMessage(new Uint8Array(data));
        received.push(message);
        handle(message, send);
      });
    });
  });
  afterAll(() => standIn?.close());

  return {
    received,
    app() {
      const { port } = standIn!.address() as AddressInfo;
      const real = newApp(server());
      const redirecting: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (!String(input instanceof Request ? input.url : input).endsWith("/location"))
          return response;
        const location = (await response.json()) as Record<string, unknown>;
        return Response.json({
          ...location,
          ws_hostname: `ws://127.0.0.1:${port}`,
          sync_route: `ws://127.0.0.1:${port}/api/client/v2.0/app/${real.id}/realm-sync`,
        });
      };
      return new App({
        id: real.id,
        baseUrl: real.baseUrl,
        baseFilePath: real.fileDirectory,
        fetch: redirecting,
      });
    },
  };
}

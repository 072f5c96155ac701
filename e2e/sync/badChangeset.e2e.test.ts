/**
 * A download the client cannot apply (injected by a stand-in sync server the app's location
 * points to; login still goes to the real server): the client answers with error 212
 * (bad_changeset), applies nothing of it, reports a fatal SyncError to onError and stops.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { ObjectId } from "bson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { App, Credentials, Realm, SyncError } from "@atoll/client";
import {
  decodeClientMessage,
  encodeChangeset,
  encodeMessage,
  SUBPROTOCOL_PREFIX,
} from "@atoll/protocol";
import type { ClientMessage, ServerMessage } from "@atoll/protocol";
import { useApps } from "@atoll/client/test-support/appClients";
import { CarSchema } from "../support/carModel.js";
import { useSyncServer } from "../support/syncHarness.js";

describe("a download the client cannot apply", () => {
  const server = useSyncServer();
  const newApp = useApps();
  let standIn: WebSocketServer;
  const received: ClientMessage[] = [];
  let reportedToServer: () => void = () => undefined;
  const serverHeardError = new Promise<void>((resolve) => (reportedToServer = resolve));

  beforeAll(async () => {
    standIn = new WebSocketServer({
      port: 0,
      host: "127.0.0.1",
      handleProtocols: (offered) =>
        [...offered].find((p) => p.startsWith(SUBPROTOCOL_PREFIX)) ?? false,
    });
    await once(standIn, "listening");
    standIn.on("connection", (socket) => {
      const send = (message: ServerMessage): void => socket.send(encodeMessage(message));
      socket.on("message", (data: Buffer) => {
        const message = decodeClientMessage(new Uint8Array(data));
        received.push(message);
        if (message.type === "error") reportedToServer();
        if (message.type === "bind")
          send({ type: "ident", session: 1, clientFileIdent: 2, salt: 7 });
        if (message.type !== "ident") return;
        const carId = new ObjectId();
        const changeset = encodeChangeset([
          { type: "CreateObject", table: "Car", pk: carId },
          { type: "Update", table: "Car", pk: carId, path: ["make"], value: "Trabant" },
          { type: "Update", table: "Car", pk: carId, path: ["miles"], value: "not a number" },
        ]);
        send({
          type: "download",
          session: 1,
          download: { serverVersion: 5, lastIntegratedClientVersion: 0 },
          upload: { clientVersion: 0, lastIntegratedServerVersion: 0 },
          latestServerVersion: { version: 5, salt: 1 },
          queryVersion: 0,
          batchState: 2,
          progressEstimate: 1,
          changesets: [
            {
              serverVersion: 5,
              lastIntegratedClientVersion: 0,
              originTimestamp: Date.now(),
              originFileIdent: 3,
              changeset,
            },
          ],
        });
      });
    });
  });
  afterAll(() => standIn.close());

  it("answers bad_changeset (212), applies nothing and stops the session", async () => {
    const { port } = standIn.address() as AddressInfo;
    const real = newApp(server());
    const route = `ws://127.0.0.1:${port}/api/client/v2.0/app/${real.id}/realm-sync`;
    const redirecting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input instanceof Request ? input.url : input).endsWith("/location"))
        return response;
      const location = (await response.json()) as Record<string, unknown>;
      return Response.json({
        ...location,
        ws_hostname: `ws://127.0.0.1:${port}`,
        sync_route: route,
      });
    };
    const app = new App({
      id: real.id,
      baseUrl: real.baseUrl,
      baseFilePath: real.fileDirectory,
      fetch: redirecting,
    });
    const user = await app.logIn(Credentials.anonymous(false));
    const errors: SyncError[] = [];
    const realm = new Realm({
      schema: [CarSchema],
      sync: { user, flexible: true, onError: (_session, error) => errors.push(error) },
    });
    try {
      const refused = await realm.syncSession!.waitForDownload().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(SyncError);
      expect((refused as SyncError).code).toBe(212);
      expect(errors).toEqual([refused]);
      expect((refused as SyncError).isFatal).toBe(true);
      expect(realm.syncSession!.state).toBe(Realm.SessionState.Invalid);
      expect(realm.objects("Car")).toHaveLength(0);
      await serverHeardError;
      expect(received.map((m) => m.type)).toEqual(["bind", "ident", "mark", "error"]);
      expect(received[3]).toMatchObject({ type: "error", code: 212 });
    } finally {
      realm.close();
    }
  });
});

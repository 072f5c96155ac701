/**
 * The sync route's negotiation with realm-core clients, over a raw WebSocket: the 101 names
 * the highest `com.mongodb.realm-query-sync#N` both sides speak (realm-core fails, and can
 * crash, on a 101 without one), an older realm-core gets its version (8 to 11) and the
 * download fields of that version, a client with no version in common is refused with HTTP
 * 400 before any upgrade, and an Atoll client offering both protocols keeps Atoll's.
 */
import { subprotocolFor, SYNC_PROTOCOL_VERSION } from "@atoll/protocol";
import { decodeServerMessage, encodeClientMessage } from "@atoll/realm-wire";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";
import {
  bindFrame,
  identFrame,
  openSyncSocket,
  rawRealmConnection,
  realmOffer,
} from "./test-support/rawRealmConnection.js";

let sync: SyncTestServer;
let token: string;
beforeAll(async () => {
  sync = await startSyncServer();
  token = (await sync.logIn()).accessToken;
});
afterAll(() => sync.stop());

const open = (protocols: string[]) => openSyncSocket(`${sync.syncUrl}?baas_at=${token}`, protocols);
const realmConnection = (versions?: number[]) =>
  rawRealmConnection(`${sync.syncUrl}?baas_at=${token}`, versions);
const bind = bindFrame;

it("answers realm-core's offer (14 down to 2) with #14, and speaks its messages", async () => {
  const { socket, protocol } = await open(realmOffer([14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]));
  expect(protocol).toBe("com.mongodb.realm-query-sync#14");
  const answers: Uint8Array[] = [];
  const answered = new Promise<void>((resolve) =>
    socket!.on("message", (data: Buffer) => {
      answers.push(new Uint8Array(data));
      if (answers.length === 2) resolve();
    }),
  );
  socket!.send(
    encodeClientMessage({
      type: "bind",
      session: 1,
      path: '{"schemaVersion":0,"sessionReason":0}',
      token: "",
      needClientFileIdent: true,
      isSubserver: false,
    }),
  );
  socket!.send(encodeClientMessage({ type: "ping", timestamp: 1234, rtt: 0 }));
  await answered;
  socket!.close();
  const messages = answers.map((frame) => decodeServerMessage(frame));
  expect(messages).toContainEqual({ type: "pong", timestamp: 1234 });
  const ident = messages.find((message) => message.type === "ident");
  expect(ident).toMatchObject({ session: 1, clientFileIdent: expect.any(Number) });
  expect(ident?.type === "ident" && ident.clientFileSalt).toBeGreaterThan(0);
});

it("a realm-core before 13.10, with no version in common, is refused with HTTP 400, not upgraded", async () => {
  expect(await open(realmOffer([7, 6, 5]))).toEqual({ status: 400 });
});

it("answers realm-core 14.0 to 14.4 (up to #11) with #11, whose downloads carry downloadable bytes (0), not a progress fraction", async () => {
  const { socket, protocol, frame, next } = await realmConnection([11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
  expect(protocol).toBe("com.mongodb.realm-query-sync#11");
  socket.send(bind(1, true));
  const ident = await next();
  if (ident.type !== "ident") throw new Error(`expected ident, got ${ident.type}`);
  socket.send(identFrame(1, ident, { version: 1, text: '{"Car":"(miles < 100)"}' }));
  const download = (await frame())?.toString("latin1") ?? "";
  socket.close();
  // download <session> <6 cursors> <query version> <batch state> <downloadable> <compressed> ...
  const header = download.slice(0, download.indexOf("\n")).split(" ");
  expect(header[0]).toBe("download");
  // Downloadable bytes, which Atlas always sent as 0 before protocol 12's progress estimate.
  expect(header[10]).toBe("0");
});

it("an Atoll client offering both protocols keeps Atoll's", async () => {
  const atoll = subprotocolFor(SYNC_PROTOCOL_VERSION);
  const { socket, protocol } = await open([atoll, ...realmOffer([14])]);
  socket!.close();
  expect(protocol).toBe(atoll);
});

it("a session unbound before its IDENT is answered unbound, and the connection goes on", async () => {
  const { socket, next } = await realmConnection();
  socket.send(bind(1, false));
  socket.send(encodeClientMessage({ type: "unbind", session: 1 }));
  expect(await next()).toEqual({ type: "unbound", session: 1 });
  socket.send(bind(2, true));
  expect(await next()).toMatchObject({ type: "ident", session: 2 });
  socket.close();
});

it("a session's fatal error ends that session alone: its unbind gets no answer, the next session binds", async () => {
  const { socket, next } = await realmConnection();
  socket.send(bind(1, false));
  socket.send(
    identFrame(1, { clientFileIdent: 999, clientFileSalt: 1 }, { version: 0, text: "{}" }),
  );
  const error = await next();
  expect(error).toMatchObject({ type: "json_error", code: 208, session: 1 });
  socket.send(encodeClientMessage({ type: "unbind", session: 1 }));
  socket.send(bind(2, true));
  expect(await next()).toMatchObject({ type: "ident", session: 2 });
  socket.close();
});

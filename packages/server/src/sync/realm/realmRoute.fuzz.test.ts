/**
 * Hostile input from the Realm side through the real sync route: on a connection whose
 * session is bound and identified, garbage header lines, cut or altered frames of every
 * realm-core message, and uploads of generated changesets (tables, fields, paths and values
 * the app may not have). Whatever arrives, the server answers with realm-core's protocol
 * messages only: every error is a `json_error` with a code of the sync catalogue, a
 * connection-level one closes that connection, and another device's connection goes on.
 */
import { isSyncErrorCode } from "@atoll/protocol";
import { decodeServerMessage, encodeClientMessage, encodeRealmChangeset } from "@atoll/realm-wire";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  realmClientMessage,
  realmInstruction,
} from "../../../../realm-wire/src/test-support/realmArbitraries.js";
import { fuzzParameters } from "../../../../protocol/src/test-support/fuzzParameters.js";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";
import {
  bindFrame,
  identFrame,
  rawRealmConnection,
  type RawRealmConnection,
} from "./test-support/rawRealmConnection.js";

let sync: SyncTestServer;
let url: string;
let bystander: RawRealmConnection;

beforeAll(async () => {
  sync = await startSyncServer();
  url = `${sync.syncUrl}?baas_at=${(await sync.logIn()).accessToken}`;
  bystander = await rawRealmConnection(url);
});
afterAll(async () => {
  bystander.socket.close();
  await sync.stop();
});

/** A connection with session 1 bound, identified and subscribed to nothing yet. */
async function identifiedSession(): Promise<RawRealmConnection> {
  const connection = await rawRealmConnection(url);
  connection.socket.send(bindFrame(1, true));
  const ident = await connection.next();
  if (ident.type !== "ident") throw new Error(`expected ident, got ${ident.type}`);
  connection.socket.send(identFrame(1, ident, { version: 1, text: '{"Car":"(miles < 100)"}' }));
  return connection;
}

/**
 * Sends `frame`, then a ping; collects what the server sends until the pong (the connection
 * went on) or the close. Every message must decode; every error must be a catalogue code,
 * and a connection-level error (session 0) must close the connection.
 */
async function sendHostile(frame: Uint8Array): Promise<void> {
  const connection = await identifiedSession();
  connection.socket.send(frame);
  connection.socket.send(encodeClientMessage({ type: "ping", timestamp: 4242, rtt: 0 }));
  let connectionError = false;
  for (;;) {
    const data = await connection.frame();
    if (data === undefined) break;
    const message = decodeServerMessage(new Uint8Array(data));
    if (message.type === "json_error") {
      expect(isSyncErrorCode(message.code), `code ${message.code}`).toBe(true);
      if (message.session === 0) connectionError = true;
    }
    if (message.type === "pong" && message.timestamp === 4242) break;
  }
  if (connectionError) await connection.closed;
  connection.socket.close();
}

async function bystanderStillAnswers(): Promise<void> {
  bystander.socket.send(encodeClientMessage({ type: "ping", timestamp: 7, rtt: 0 }));
  expect(await bystander.next()).toEqual({ type: "pong", timestamp: 7 });
}

const HEADER_WORDS = ["upload", "bind", "ident", "query", "mark", "unbind", "json_error", "ping"];

it("garbage header lines get a protocol error on that connection only", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.oneof(
          fc.constantFrom(...HEADER_WORDS),
          fc.integer({ min: -5, max: 2 ** 40 }).map(String),
          fc.string({ maxLength: 6 }),
        ),
        { minLength: 1, maxLength: 9 },
      ),
      fc.boolean(),
      async (words, newline) => {
        await sendHostile(new TextEncoder().encode(`${words.join(" ")}${newline ? "\n" : ""}`));
        await bystanderStillAnswers();
      },
    ),
    fuzzParameters(25),
  );
});

it("cut or altered realm-core messages get a protocol error on that connection only", async () => {
  await fc.assert(
    fc.asyncProperty(
      realmClientMessage,
      fc.nat(),
      fc.option(fc.integer({ min: 0, max: 255 })),
      async (message, at, byte) => {
        const bytes = encodeClientMessage(message).slice();
        const position = at % Math.max(1, bytes.length);
        const frame = byte === null ? bytes.subarray(0, position) : bytes;
        if (byte !== null && bytes.length > 0) frame[position] = byte;
        await sendHostile(frame);
        await bystanderStillAnswers();
      },
    ),
    fuzzParameters(25),
  );
});

it("uploads of arbitrary changesets are integrated or refused on that connection only", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(realmInstruction, { minLength: 1, maxLength: 6 }),
      async (instructions) => {
        await sendHostile(
          encodeClientMessage({
            type: "upload",
            session: 1,
            progressClientVersion: 2,
            progressServerVersion: 0,
            lockedServerVersion: 0,
            changesets: [
              {
                clientVersion: 2,
                lastIntegratedServerVersion: 0,
                originTimestamp: 1,
                originFileIdent: 0,
                changeset: encodeRealmChangeset(instructions),
              },
            ],
          }),
        );
        await bystanderStillAnswers();
      },
    ),
    fuzzParameters(25),
  );
});

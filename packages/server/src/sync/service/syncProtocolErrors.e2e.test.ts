/**
 * Bad input on the sync endpoint: bad tokens, malformed, oversized, unknown and out-of-order
 * messages. Each gets a protocol error with its code and only the offending connection is
 * closed; a device connected meanwhile keeps receiving changes.
 */
import type { ServerErrorMessage } from "@atoll/protocol";
import { BSON, Long, ObjectId } from "bson";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";
import { upgradeStatus, SyncTestClient, type TestLogin } from "../test-support/SyncTestClient.js";

const MAX_BYTES = 16 * 1024;

let t: SyncTestServer;
let login: TestLogin;
let bystander: SyncTestClient;

beforeAll(async () => {
  t = await startSyncServer({ sync: { maxMessageBytes: MAX_BYTES } });
  login = await t.logIn();
  bystander = await t.connect(login);
  await bystander.bind({ queryVersion: 0 });
  await bystander.subscribe(1, { Car: "miles >= 0" });
});
afterAll(async () => {
  await t.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A write from a third device reaches the bystander: the server still serves everyone else. */
async function bystanderStillReceives(): Promise<void> {
  const writer = await t.connect(login);
  await writer.bind();
  await writer.subscribe(1, { Car: "miles >= 0" });
  const id = new ObjectId();
  writer.upload([
    { type: "CreateObject", table: "Car", pk: id },
    { type: "Update", table: "Car", pk: id, path: ["ownerId"], value: login.userId },
    { type: "Update", table: "Car", pk: id, path: ["make"], value: "Opel" },
    { type: "Update", table: "Car", pk: id, path: ["miles"], value: Long.fromNumber(1) },
  ]);
  await bystander.next("download", (d) => d.changesets.length > 0);
  await writer.close();
}

async function refusedWith(client: SyncTestClient, code: number): Promise<ServerErrorMessage> {
  const error = await client.next("error");
  expect(error.code).toBe(code);
  await client.closed();
  return error;
}

describe("access tokens", () => {
  it("refuses the upgrade with 401 for a bad or missing token", async () => {
    expect(await upgradeStatus(t.syncUrl, "not-a-token")).toBe(401);
    expect(await upgradeStatus(t.syncUrl, "")).toBe(401);
    expect(await upgradeStatus(t.syncUrl, login.accessToken)).toBe(101);
  });

  it("answers bind with 202 token_expired once the token has expired, and 401 at the next upgrade", async () => {
    const client = await t.connect(login);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 2 * 60 * 60 * 1000 });
    client.send({ type: "bind", session: 1, clientFileIdent: null, schemaVersion: 0, schema: [] });
    const error = await refusedWith(client, 202);
    expect(error).toMatchObject({ tryAgain: true, action: "RefreshUser" });
    expect(await upgradeStatus(t.syncUrl, login.accessToken)).toBe(401);
  });
});

describe("protocol errors", () => {
  it("answers a frame that is not BSON with bad_syntax (103)", async () => {
    const client = await t.connect(login);
    client.sendRaw(new Uint8Array([1, 2, 3, 4, 5]));
    expect((await refusedWith(client, 103)).session).toBe(0);
    await bystanderStillReceives();
  });

  it("answers an unknown message type with unknown_message (102)", async () => {
    const client = await t.connect(login);
    client.sendRaw(BSON.serialize({ type: "teleport", session: 1 }));
    await refusedWith(client, 102);
    await bystanderStillReceives();
  });

  it("answers a field of the wrong type with bad_syntax (103) naming it", async () => {
    const client = await t.connect(login);
    client.sendRaw(BSON.serialize({ type: "mark", session: 1, requestId: "one" }));
    expect((await refusedWith(client, 103)).message).toContain("requestId");
    await bystanderStillReceives();
  });

  it("answers a frame over the limit with limits_exceeded (104)", async () => {
    const client = await t.connect(login);
    await client.bind();
    client.uploadBytes(new Uint8Array(MAX_BYTES + 1));
    await refusedWith(client, 104);
    await bystanderStillReceives();
  });

  it("answers an upload before ident with bad_message_order (109)", async () => {
    const client = await t.connect(login);
    client.send({ type: "bind", session: 1, clientFileIdent: null, schemaVersion: 0, schema: [] });
    await client.next("ident");
    client.upload([]);
    await refusedWith(client, 109);
    await bystanderStillReceives();
  });

  it("answers a message for a session that is not bound with bad_session_ident (106)", async () => {
    const client = await t.connect(login);
    client.send({ type: "query", session: 7, queryVersion: 1, query: { Car: "miles > 1" } });
    await refusedWith(client, 106);
    await bystanderStillReceives();
  });

  it("answers a malformed changeset with bad_changeset (212)", async () => {
    const client = await t.connect(login);
    await client.bind();
    client.uploadBytes(new Uint8Array([9, 9, 9]));
    await refusedWith(client, 212);
    await bystanderStillReceives();
  });

  it("closes the session when the client reports it could not apply a download (212)", async () => {
    const client = await t.connect(login);
    await client.bind();
    client.send({ type: "error", session: 1, code: 212, message: "could not apply changeset" });
    await client.closed();
    const logs = await t.server.logs.query({ type: "sync", userId: login.userId });
    expect(logs.some((e) => e.message.includes("could not apply changeset"))).toBe(true);
    await bystanderStillReceives();
  });

  it("tells a client reset's recovery setting only to clients on protocol version 2", async () => {
    const unknownFile = { ident: 999_999, salt: 7 };
    for (const [subprotocol, expected] of [
      ["atoll-sync#1", undefined],
      ["atoll-sync#2", false],
    ] as const) {
      const client = await SyncTestClient.connect(t.syncUrl, login.accessToken, [subprotocol]);
      await client.bind({ file: unknownFile });
      const error = await client.next("error");
      expect(error).toMatchObject({ code: 208, action: "ClientReset" });
      expect(error.isRecoveryModeDisabled).toBe(expected);
      expect(await client.closed()).toBeGreaterThan(0);
    }
    await bystanderStillReceives();
  });

  it("answers ping with pong and unbind with unbound", async () => {
    const client = await t.connect(login);
    client.send({ type: "ping", timestamp: 1234, rtt: 0 });
    expect(await client.next("pong")).toEqual({ type: "pong", timestamp: 1234 });
    await client.bind();
    client.send({ type: "unbind", session: 1 });
    expect(await client.next("unbound")).toEqual({ type: "unbound", session: 1 });
  });
});

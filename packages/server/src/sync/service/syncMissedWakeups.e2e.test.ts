/**
 * Two nodes on one database where node B misses every wake-up (an injected fault: its
 * notifications are lost), so it knows of node A's appends only by reading storage. A device
 * that resumes on B with a cursor A gave it is served, not told to reset; a mark on B answers
 * only once B has read what A appended before it.
 */
import type { Instruction } from "@atoll/protocol";
import { Long, ObjectId } from "bson";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AtollServer } from "../../AtollServer.js";
import { faultyEngine } from "../../cluster/test-support/faultyEngine.js";
import { CARS_APP_DIR } from "../../config/test-support/appFixture.js";
import { openStorage } from "../../storage/openStorage.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { logIn, syncUrl, SyncTestClient } from "../test-support/SyncTestClient.js";

const dir = mkdtempSync(join(tmpdir(), "atoll-deaf-"));
let engine: StorageEngine;
let a: AtollServer;
let b: AtollServer;
const clients: SyncTestClient[] = [];

beforeAll(async () => {
  engine = await openStorage(`sqlite:${join(dir, "app.db")}`);
  const options = { appDir: CARS_APP_DIR, port: 0, logLevel: "silent" } as const;
  a = await AtollServer.start({ ...options, storageEngine: engine });
  b = await AtollServer.start({
    ...options,
    storageEngine: faultyEngine(engine, { wakeups: false }),
  });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await a.close();
  await b.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(server: AtollServer, token: string): Promise<SyncTestClient> {
  const client = await SyncTestClient.connect(syncUrl(server.url, server.appId), token);
  clients.push(client);
  return client;
}

function car(ownerId: string, make: string): Instruction[] {
  const id = new ObjectId();
  return [
    { type: "CreateObject", table: "Car", pk: id },
    { type: "Update", table: "Car", pk: id, path: ["ownerId"], value: ownerId },
    { type: "Update", table: "Car", pk: id, path: ["make"], value: make },
    { type: "Update", table: "Car", pk: id, path: ["miles"], value: Long.fromNumber(1) },
  ];
}

it("answers a mark on one node only after reading what another node appended", async () => {
  const login = await logIn(a.url, a.appId);
  const query = { Car: `ownerId == "${login.userId}"` };
  const onB = await connect(b, login.accessToken);
  await onB.bind({ queryVersion: 1, query });
  await onB.mark();
  const onA = await connect(a, login.accessToken);
  await onA.bind({ queryVersion: 1, query });
  await onA.acknowledged(onA.upload(car(login.userId, "Moskvich")));

  const before = onB.received.length;
  await onB.mark();
  expect(onB.downloadedInstructions(before)).toContainEqual(
    expect.objectContaining({ path: ["make"], value: "Moskvich" }),
  );
});

it("serves a device resuming with a cursor another node gave it (no reset)", async () => {
  const login = await logIn(a.url, a.appId);
  const query = { Car: `ownerId == "${login.userId}"` };
  const onA = await connect(a, login.accessToken);
  const file = await onA.bind({ queryVersion: 1, query });
  await onA.acknowledged(onA.upload(car(login.userId, "Chaika")));
  const cursor = onA.cursor;
  await onA.close();

  const resumed = await connect(b, login.accessToken);
  resumed.cursor = cursor;
  await resumed.bind({ file, queryVersion: 1, query });
  await resumed.acknowledged(resumed.upload(car(login.userId, "Pobeda")));
  expect(resumed.received.filter((m) => m.type === "error")).toEqual([]);
});

/**
 * A bootstrap on one node while another node appends: node B's scan for a new subscription is
 * made to wait (an injected fault) until node A has integrated an upload that the scan will
 * read. The bootstrap must name a server version that includes that upload (its snapshot is
 * the state of the version it names), so the device never receives the change twice.
 */
import type { Instruction } from "@atoll/protocol";
import { decodeChangeset } from "@atoll/protocol";
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
import { logIn, syncUrl, SyncTestClient, type TestLogin } from "../test-support/SyncTestClient.js";

const dir = mkdtempSync(join(tmpdir(), "atoll-racing-scan-"));
let engine: StorageEngine;
let a: AtollServer;
let b: AtollServer;
const clients: SyncTestClient[] = [];
/** Runs once, before node B's next scan of `Car`. */
let duringScan: (() => Promise<void>) | undefined;

beforeAll(async () => {
  engine = await openStorage(`sqlite:${join(dir, "app.db")}`);
  const options = { appDir: CARS_APP_DIR, port: 0, logLevel: "silent" } as const;
  a = await AtollServer.start({ ...options, storageEngine: engine });
  b = await AtollServer.start({
    ...options,
    storageEngine: faultyEngine(engine, {
      beforeScan: async (ns) => {
        if (ns.coll !== "Car") return;
        const run = duringScan;
        duringScan = undefined;
        await run?.();
      },
    }),
  });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await a.close();
  await b.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function device(server: AtollServer, login: TestLogin): Promise<SyncTestClient> {
  const client = await SyncTestClient.connect(syncUrl(server.url, server.appId), login.accessToken);
  clients.push(client);
  return client;
}

function car(id: ObjectId, ownerId: string): Instruction[] {
  return [
    { type: "CreateObject", table: "Car", pk: id },
    { type: "Update", table: "Car", pk: id, path: ["ownerId"], value: ownerId },
    { type: "Update", table: "Car", pk: id, path: ["make"], value: "Wartburg" },
    { type: "Update", table: "Car", pk: id, path: ["miles"], value: Long.fromNumber(9) },
  ];
}

it("names a version that includes what another node appended while it scanned", async () => {
  const login = await logIn(a.url, a.appId);
  const query = { Car: `ownerId == "${login.userId}"` };
  const writer = await device(a, login);
  await writer.bind({ queryVersion: 1, query });
  const id = new ObjectId();
  let appended = 0;
  duringScan = async () => {
    const ack = await writer.acknowledged(writer.upload(car(id, login.userId)));
    appended = ack.download.serverVersion;
  };

  const reader = await device(b, login);
  await reader.bind();
  const bootstrap = await reader.subscribe(1, query);
  const created = bootstrap
    .flatMap((m) => m.changesets)
    .flatMap((c) => decodeChangeset(c.changeset))
    .some((i) => i.type === "CreateObject" && String(i.pk) === id.toHexString());
  expect(created).toBe(true);
  expect(appended).toBeGreaterThan(0);
  expect(bootstrap.at(-1)!.download.serverVersion).toBeGreaterThanOrEqual(appended);
});

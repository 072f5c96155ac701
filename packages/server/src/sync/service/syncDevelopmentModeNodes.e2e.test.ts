/**
 * Development mode on two nodes of one database: a type a device added through node A is
 * followed by node B's recorder too. Node A is made deaf to commits (an injected fault), so
 * only node B's recorder turns a data-access write to the new type into history; the device
 * on node A receives it.
 */
import { decodeChangeset } from "@atoll/protocol";
import { ObjectId } from "bson";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AtollServer } from "../../AtollServer.js";
import { faultyEngine } from "../../cluster/test-support/faultyEngine.js";
import { copyCarsApp } from "../../config/test-support/appFixture.js";
import { openStorage } from "../../storage/openStorage.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { logIn, syncUrl, SyncTestClient } from "../test-support/SyncTestClient.js";

const DOG = {
  name: "Dog",
  primaryKey: "_id",
  embedded: false,
  asymmetric: false,
  properties: {
    _id: { name: "_id", type: "objectId", optional: false },
    name: { name: "name", type: "string", optional: false },
  },
};

const dir = mkdtempSync(path.join(tmpdir(), "atoll-dev-nodes-"));
let removeApp: () => Promise<void>;
let engine: StorageEngine;
let a: AtollServer;
let b: AtollServer;
let device: SyncTestClient | undefined;

beforeAll(async () => {
  const app = await copyCarsApp();
  removeApp = app.remove;
  const file = path.join(app.dir, "sync", "config.json");
  const config = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...config, development_mode_enabled: true }));
  await writeFile(
    path.join(app.dir, "data_sources", "mongodb-atlas", "default_rule.json"),
    JSON.stringify({ roles: [{ name: "everyone", apply_when: {}, read: true, write: true }] }),
  );
  engine = await openStorage(`sqlite:${path.join(dir, "app.db")}`);
  const options = { appDir: app.dir, port: 0, logLevel: "silent" } as const;
  a = await AtollServer.start({
    ...options,
    storageEngine: faultyEngine(engine, { commits: false }),
  });
  b = await AtollServer.start({ ...options, storageEngine: engine });
});
afterAll(async () => {
  await device?.close();
  await a.close();
  await b.close();
  await engine.close();
  await removeApp();
  rmSync(dir, { recursive: true, force: true });
});

it("records a write to a type another node added", async () => {
  const login = await logIn(a.url, a.appId);
  device = await SyncTestClient.connect(syncUrl(a.url, a.appId), login.accessToken);
  await device.bind({ schema: [DOG] });
  await device.subscribe(1, { Dog: "_id != null" });
  const id = new ObjectId();
  await b.data.system().db("cars-db").collection("Dog").insertOne({ _id: id, name: "Laika" });
  const download = await device.next("download", (d) => d.changesets.length > 0);
  const instructions = download.changesets.flatMap((c) => decodeChangeset(c.changeset));
  expect(instructions).toContainEqual(
    expect.objectContaining({ type: "CreateObject", table: "Dog", pk: id }),
  );
});

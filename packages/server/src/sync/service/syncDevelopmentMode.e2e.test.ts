/**
 * Development mode: the server accepts a device's schema with types it does not know and adds
 * them to the synced model (so they can be subscribed to); without development mode the same
 * schema fails the session with invalid_schema_change (225), tested beside the other bind cases.
 * The added types are kept durably: after a restart on the same file devices can subscribe to
 * them without sending them, and writes to them through data access still reach devices.
 */
import { BatchState, decodeChangeset, SyncErrorCode } from "@atoll/protocol";
import { ObjectId } from "bson";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { copyCarsApp } from "../../config/test-support/appFixture.js";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";

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

let t: SyncTestServer;
let removeApp: () => Promise<void>;

beforeAll(async () => {
  const app = await copyCarsApp();
  removeApp = app.remove;
  const file = path.join(app.dir, "sync", "config.json");
  const config = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...config, development_mode_enabled: true }));
  // Added types fall under the data source's default rule: let everyone read and write them.
  await writeFile(
    path.join(app.dir, "data_sources", "mongodb-atlas", "default_rule.json"),
    JSON.stringify({ roles: [{ name: "everyone", apply_when: {}, read: true, write: true }] }),
  );
  t = await startSyncServer({ appDir: app.dir });
});
afterAll(async () => {
  await t.stop();
  await removeApp();
});

it("accepts a schema with a new type, records it, and lets the device subscribe to it", async () => {
  const login = await t.logIn();
  const device = await t.connect(login);
  await device.bind({ schema: [DOG] });
  const batches = await device.subscribe(1, { Dog: "_id != null" });
  expect(batches.at(-1)!.batchState).toBe(BatchState.LastInBatch);
  expect(device.received.some((m) => m.type === "error" || m.type === "queryError")).toBe(false);
  const logs = await t.server.logs.query({ type: "sync", userId: login.userId });
  expect(logs.some((e) => e.message.includes("added object types Dog"))).toBe(true);
});

it("keeps the added types across a restart, and records data-access writes to them", async () => {
  const adder = await t.connect(await t.logIn());
  await adder.bind({ schema: [DOG] });
  t = await t.restart();
  const device = await t.connect(await t.logIn());
  await device.bind(); // sends no schema: Dog is known to the server from before the restart
  await device.subscribe(1, { Dog: "_id != null" });
  expect(device.received.some((m) => m.type === "error" || m.type === "queryError")).toBe(false);
  const id = new ObjectId();
  await t.server.data.system().db("cars-db").collection("Dog").insertOne({ _id: id, name: "Rex" });
  const download = await device.next("download", (d) => d.changesets.length > 0);
  const instructions = download.changesets.flatMap((c) => decodeChangeset(c.changeset));
  expect(instructions).toContainEqual(
    expect.objectContaining({ type: "CreateObject", table: "Dog", pk: id }),
  );
});

it("checks writes to an added type against the schema the device sent", async () => {
  const login = await t.logIn();
  const device = await t.connect(login);
  await device.bind({ schema: [DOG] });
  await device.subscribe(1, { Dog: "_id != null" });
  const id = new ObjectId();
  const version = device.upload([
    { type: "CreateObject", table: "Dog", pk: id },
    { type: "Update", table: "Dog", pk: id, path: ["name"], value: "Rex" },
  ]);
  await device.acknowledged(version); // passed the schema check (the rules judge it after)
  expect(device.received.some((m) => m.type === "error" && m.code !== 231)).toBe(false);
  device.upload([{ type: "Update", table: "Dog", pk: id, path: ["name"], value: 7 }]);
  const error = await device.next("error", (e) => e.code !== SyncErrorCode.CompensatingWrite);
  expect(error.code).toBe(SyncErrorCode.BadChangeset);
});

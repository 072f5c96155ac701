/**
 * Development mode: the server accepts a device's schema with types it does not know and adds
 * them to the synced model (so they can be subscribed to); without development mode the same
 * schema fails the session with invalid_schema_change (225), tested beside the other bind cases.
 */
import { BatchState } from "@atoll/protocol";
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

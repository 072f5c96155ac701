/**
 * A realm-core device's schema arrives as AddTable/AddColumn instructions in its first upload
 * and meets the same check as an Atoll device's schema on bind: refused with
 * invalid_schema_change (225) when it has a type the app lacks, added to the synced model in
 * development mode.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { copyCarsApp } from "../../config/test-support/appFixture.js";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";
import { RealmFlxDevice } from "./test-support/RealmFlxDevice.js";

const CAR = {
  name: "Car",
  primaryKey: "_id",
  properties: {
    _id: "objectId",
    ownerId: "string",
    make: "string",
    model: "string?",
    miles: "int?",
  },
};
const BOAT = { name: "Boat", primaryKey: "_id", properties: { _id: "objectId", name: "string" } };

const cleanUp: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanUp.splice(0).reverse()) await step();
});

async function serverAndDevice(developmentMode: boolean) {
  const app = await copyCarsApp();
  cleanUp.push(app.remove);
  if (developmentMode) {
    const file = path.join(app.dir, "sync", "config.json");
    const config = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...config, development_mode_enabled: true }));
    await writeFile(
      path.join(app.dir, "data_sources", "mongodb-atlas", "default_rule.json"),
      JSON.stringify({
        roles: [
          {
            name: "everyone",
            apply_when: {},
            document_filters: { read: {}, write: {} },
            read: true,
            write: true,
          },
        ],
      }),
    );
  }
  const sync: SyncTestServer = await startSyncServer({ appDir: app.dir });
  cleanUp.push(() => sync.stop());
  const native = await RealmFlxDevice.start("schema", sync.server.url, sync.server.appId);
  cleanUp.push(() => native.quit());
  await native.command({ cmd: "login", provider: "anonymous" });
  return { sync, native };
}

it("a type the app does not have is refused with invalid_schema_change, naming it", async () => {
  const { native } = await serverAndDevice(false);
  const opened = native.send({
    cmd: "open",
    path: "boats.realm",
    schema: [CAR, BOAT],
    subscriptions: [{ name: "cars", class: "Car", query: "miles < 100" }],
    timeout: 3000,
  });
  const error = await native.event((event) => event.event === "syncError");
  expect(error).toMatchObject({
    code: 225,
    isFatal: true,
    message: expect.stringContaining('object type "Boat", which is not in the server\'s schema'),
  });
  expect(await opened).toMatchObject({ ok: false });
});

it("in development mode the device's new type joins the synced model and its objects are stored", async () => {
  const { sync, native } = await serverAndDevice(true);
  await native.command({
    cmd: "open",
    path: "boats.realm",
    schema: [CAR, BOAT],
    subscriptions: [{ name: "cars", class: "Car", query: "miles < 100" }],
  });
  await native.command({ cmd: "upload" });
  await native.command({
    cmd: "subscribe",
    subscriptions: [{ name: "boats", class: "Boat", query: "TRUEPREDICATE" }],
  });
  await native.command({
    cmd: "write",
    ops: [
      {
        op: "create",
        class: "Boat",
        value: { _id: { $oid: "65f1a1b2c3d4e5f601234ccc" }, name: "Ark" },
      },
    ],
  });
  await native.command({ cmd: "upload" });
  expect(native.events.filter((event) => event.event === "syncError")).toEqual([]);
  const stored = await sync.server.data.system().db("cars-db").collection("Boat").findOne({});
  expect(stored).toMatchObject({ name: "Ark" });
});

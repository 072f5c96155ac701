/**
 * A realm-core device's schema arrives as AddTable/AddColumn instructions in its first upload
 * and meets the same check as an Atoll device's schema on bind: refused with
 * invalid_schema_change (225) when it has a type the app lacks, added to the synced model in
 * development mode.
 */
import { expect, it } from "vitest";
import { copyCarsApp } from "../../config/test-support/appFixture.js";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";
import { RealmFlxDevice } from "./test-support/RealmFlxDevice.js";
import {
  copyCarsAppInDevelopmentMode,
  NATIVE_CAR as CAR,
  useCleanUp,
} from "./test-support/realmFlxHarness.js";

const BOAT = { name: "Boat", primaryKey: "_id", properties: { _id: "objectId", name: "string" } };

const cleanUp = useCleanUp();

async function serverAndDevice(developmentMode: boolean) {
  const app = await (developmentMode ? copyCarsAppInDevelopmentMode() : copyCarsApp());
  cleanUp(app.remove);
  const sync: SyncTestServer = await startSyncServer({ appDir: app.dir });
  cleanUp(() => sync.stop());
  const native = await RealmFlxDevice.start("schema", sync.server.url, sync.server.appId);
  cleanUp(() => native.quit());
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

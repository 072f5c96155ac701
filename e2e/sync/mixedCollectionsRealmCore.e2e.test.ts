/**
 * A native Realm device (realm-core 14, protocol 14) receives a list and a dictionary nested in
 * a mixed property, written on the server, as realm-core's nested collections: it integrates
 * them without a sync error, and goes on syncing the property.
 */
import { ObjectId } from "bson";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  startSyncServer,
  type SyncTestServer,
} from "../../packages/server/src/sync/test-support/startSyncServer.js";
import { RealmFlxDevice } from "../../packages/server/src/sync/realm/test-support/RealmFlxDevice.js";
import { copyCarsAppInDevelopmentMode } from "../../packages/server/src/sync/realm/test-support/realmFlxHarness.js";

const BAG = {
  name: "Bag",
  primaryKey: "_id",
  properties: { _id: "objectId", label: "string", extras: "mixed" },
};

let sync: SyncTestServer;
let remove: () => Promise<void>;
let native: RealmFlxDevice | undefined;

beforeAll(async () => {
  const app = await copyCarsAppInDevelopmentMode();
  remove = app.remove;
  sync = await startSyncServer({ appDir: app.dir });
});
afterAll(async () => {
  await native?.quit();
  await sync.stop();
  await remove();
});

it("integrates lists and dictionaries nested in a mixed value and goes on syncing it", async () => {
  native = await RealmFlxDevice.start("bags", sync.server.url, sync.server.appId);
  await native.command({ cmd: "login", provider: "anonymous" });
  await native.command({
    cmd: "open",
    path: "bags.realm",
    schema: [BAG],
    subscriptions: [{ name: "bags", class: "Bag", query: "TRUEPREDICATE" }],
  });
  const id = new ObjectId();
  await native.command({
    cmd: "write",
    ops: [{ op: "create", class: "Bag", value: { _id: { $oid: id.toHexString() }, label: "a" } }],
  });
  await native.command({ cmd: "upload" });

  const bags = sync.server.data.system().db("cars-db").collection("Bag");
  await bags.updateOne({ _id: id }, { $set: { extras: { tags: ["a", { k: 1 }] }, label: "b" } });
  await native.command({ cmd: "download" });
  const read = await native.command({ cmd: "query", class: "Bag" });
  // The test program prints a collection held by a mixed value as this placeholder (it prints
  // no nested collections): realm-core holds one, not null.
  expect(read.objects).toMatchObject([{ label: "b", extras: "<unsupported mixed value>" }]);
  expect(native.events.filter((event) => event.event === "syncError")).toEqual([]);

  // The device replaces the nested collections by a scalar; the server stores it.
  await native.command({
    cmd: "write",
    ops: [{ op: "set", class: "Bag", pk: { $oid: id.toHexString() }, field: "extras", value: 5 }],
  });
  await native.command({ cmd: "upload" });
  expect((await bags.findOne({ _id: id }))?.extras).toBe(5);
  expect(native.events.filter((event) => event.event === "syncError")).toEqual([]);
});

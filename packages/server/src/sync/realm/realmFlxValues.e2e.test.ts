/**
 * Every kind of value a native Realm app stores crosses Atoll intact between two realm-core
 * devices: scalars of each type, lists, sets, dictionaries, an embedded object and a link,
 * and a body large enough that both sides compress it. The app is in development mode, so
 * the devices' schema (sent in their first upload) defines the types.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";
import { RealmFlxDevice } from "./test-support/RealmFlxDevice.js";
import { copyCarsAppInDevelopmentMode } from "./test-support/realmFlxHarness.js";

const SCHEMA = [
  {
    name: "Garage",
    primaryKey: "_id",
    properties: {
      _id: "uuid",
      name: "string",
      flag: "bool",
      count: "int",
      ratio: "double",
      weight: "float",
      price: "decimal128",
      opened: "date",
      blob: "data",
      ref: "objectId?",
      notes: "string?",
      tags: "string[]",
      scores: "int<>",
      attrs: "string{}",
      address: "Address?",
      keeper: "Keeper?",
    },
  },
  { name: "Address", embedded: true, properties: { street: "string", zip: "int" } },
  { name: "Keeper", primaryKey: "_id", properties: { _id: "int", name: "string" } },
];

const GARAGE = {
  _id: { $binary: { base64: "O0QRAeK7QlWMr0E2xWapYg==", subType: "04" } },
  name: "Central",
  flag: true,
  count: { $numberLong: "-9007199254740993" },
  ratio: { $numberDouble: "0.1" },
  weight: { $numberDouble: "1.5" },
  price: { $numberDecimal: "12345.678" },
  opened: { $date: { $numberLong: "1700000000123" } },
  blob: { $binary: { base64: "AAEC/w==", subType: "00" } },
  ref: { $oid: "65f1a1b2c3d4e5f601234567" },
  notes: "x".repeat(5000),
  tags: ["a", "b", "a"],
  scores: [{ $numberLong: "3" }, { $numberLong: "1" }],
  attrs: { color: "red", "with space": "yes" },
  address: { street: "Main", zip: { $numberLong: "12345" } },
  keeper: { $numberLong: "7" },
};

let sync: SyncTestServer;
let remove: () => Promise<void>;
const devices: RealmFlxDevice[] = [];

beforeAll(async () => {
  const app = await copyCarsAppInDevelopmentMode();
  remove = app.remove;
  sync = await startSyncServer({ appDir: app.dir });
});
afterAll(async () => {
  await Promise.all(devices.map((device) => device.quit()));
  await sync.stop();
  await remove();
});

async function device(name: string): Promise<RealmFlxDevice> {
  const started = await RealmFlxDevice.start(name, sync.server.url, sync.server.appId);
  devices.push(started);
  await started.command({ cmd: "login", provider: "anonymous" });
  await started.command({
    cmd: "open",
    path: "garages.realm",
    schema: SCHEMA,
    subscriptions: [
      { name: "garages", class: "Garage", query: "TRUEPREDICATE" },
      { name: "keepers", class: "Keeper", query: "TRUEPREDICATE" },
    ],
  });
  return started;
}

it("an object with every kind of value reaches another device as it was written", async () => {
  const writer = await device("writer");
  await writer.command({
    cmd: "write",
    ops: [
      { op: "create", class: "Keeper", value: { _id: 7, name: "Ann" } },
      { op: "create", class: "Garage", value: GARAGE },
    ],
  });
  await writer.command({ cmd: "upload" });
  const written = await writer.command({ cmd: "query", class: "Garage" });

  const reader = await device("reader");
  await reader.command({ cmd: "download" });
  const read = await reader.command({ cmd: "query", class: "Garage" });
  expect(read.objects).toEqual(written.objects);
  expect(read.count).toBe(1);
  expect(reader.events.filter((event) => event.event === "syncError")).toEqual([]);
});

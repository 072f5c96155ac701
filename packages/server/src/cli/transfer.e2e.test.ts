/**
 * `atoll backup`, `atoll restore` and `atoll export` as real child processes on the store of a
 * running server: the backup taken while it serves holds every document and user, and restored
 * as a store of its own serves them again; an export as BSON imports back into an empty store
 * document for document, types included; as Extended JSON it is one canonical line each.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { EJSON, Long, ObjectId } from "bson";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { CARS_APP_DIR } from "../config/test-support/appFixture.js";
import { openStorage } from "../storage/openStorage.js";
import { startSyncServer, type SyncTestServer } from "../sync/test-support/startSyncServer.js";
import { runCli } from "./test-support/cliProcess.js";

const CARS = { db: "cars-db", coll: "Car" };
let t: SyncTestServer;
const cars = Array.from({ length: 50 }, (_, i) => ({
  _id: new ObjectId(),
  ownerId: "ann",
  make: "Ford",
  miles: i,
  bought: new Date(1_700_000_000_000 + i),
  odometer: Long.fromString("9007199254740993"),
}));

beforeAll(async () => {
  t = await startSyncServer();
  await t.logIn({ email: "ann@example.com", password: "secret-password" });
  await t.server.data.system().db("cars-db").collection("Car").insertMany(cars);
});
afterAll(async () => t.stop());

const store = (name: string) => `sqlite:${path.join(t.dir, name)}`;
const args = (name: string) => ["--app", CARS_APP_DIR, "--storage", store(name)];

it("backs up the store of a running server and restores it as a store that serves the same data and users", async () => {
  const backup = path.join(t.dir, "backup.db");
  const made = await runCli(["backup", backup, ...args("app.db")]);
  expect(made.code).toBe(0);
  const restored = await runCli(["restore", backup, ...args("restored.db")]);
  expect(restored.stdout).toContain("restored");
  const again = await runCli(["restore", backup, ...args("restored.db")]);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain("pass --replace");

  const server = await AtollServer.start({
    appDir: CARS_APP_DIR,
    port: 0,
    storage: store("restored.db"),
    logLevel: "silent",
  });
  try {
    expect(await server.data.system().db("cars-db").collection("Car").find({})).toEqual(cars);
    expect((await server.auth.users.list()).map((u) => u.data.email)).toEqual(["ann@example.com"]);
  } finally {
    await server.close();
  }
});

it("exports collections as BSON that imports back whole, and as canonical Extended JSON lines", async () => {
  const bson = path.join(t.dir, "export-bson");
  const exported = await runCli(["export", bson, "--format", "bson", ...args("app.db")]);
  expect(exported.stdout).toContain(
    `cars-db.Car: 50 documents to ${path.join(bson, "cars-db", "Car.bson")}`,
  );
  const imported = await runCli(["import", bson, ...args("fresh.db")]);
  expect(imported.stdout).toContain("imported 50 documents");
  const fresh = await openStorage(store("fresh.db"));
  try {
    expect((await fresh.scan(CARS)).map((s) => s.doc)).toEqual(cars);
  } finally {
    await fresh.close();
  }

  const json = path.join(t.dir, "export-json");
  await runCli(["export", json, "--collection", "Car", ...args("app.db")]);
  const lines = readFileSync(path.join(json, "cars-db", "Car.json"), "utf8")
    .trim()
    .split("\n");
  expect(lines.map((line) => EJSON.parse(line, { relaxed: false }))).toHaveLength(50);
  expect(lines[0]).toContain('"odometer":{"$numberLong":"9007199254740993"}');
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ObjectId, Timestamp } from "bson";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AtollServer } from "../AtollServer.js";
import type { DataService, Document } from "../data/types.js";
import { ManualClock } from "./test-support/ManualClock.js";
import { TRIGGERS_EXAMPLE_DIR, TRIGGERS_EXAMPLE_SECRETS } from "./test-support/triggersExample.js";

const dir = mkdtempSync(join(tmpdir(), "atoll-triggers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  for (const [name, value] of Object.entries(TRIGGERS_EXAMPLE_SECRETS)) vi.stubEnv(name, value);
});
afterAll(() => vi.unstubAllEnvs());
let files = 0;
const running: AtollServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function start(options: { file?: string; clock?: ManualClock } = {}): Promise<AtollServer> {
  const server = await AtollServer.start({
    appDir: TRIGGERS_EXAMPLE_DIR,
    port: 0,
    logLevel: "silent",
    functionTimeoutMs: 10_000,
    storage: `sqlite:${options.file ?? join(dir, `store-${++files}.db`)}`,
    ...(options.clock === undefined ? {} : { triggerClock: options.clock }),
  });
  running.push(server);
  return server;
}

async function stop(server: AtollServer): Promise<void> {
  running.splice(running.indexOf(server), 1);
  await server.close();
}

const cars = (data: DataService) => data.db("cars-db").collection("Car");
const carEvents = (data: DataService) => data.db("triggers").collection("carEvents");

describe("database triggers", () => {
  it("run the function with the change event App Services passes, for each operation type", async () => {
    const server = await start();
    const system = server.data.system();
    const { insertedId } = await cars(system).insertOne({ ownerId: "u1", make: "Volvo" });
    await server.triggers.whenIdle();
    await cars(system).deleteOne({ _id: insertedId });
    await server.triggers.whenIdle();

    const events = (await carEvents(system).find({})).map((d) => d["event"] as Document);
    expect(events.map((e) => e["operationType"])).toEqual(["insert", "update", "delete"]);
    const [insert, update, remove] = events;
    expect(insert).toMatchObject({
      operationType: "insert",
      ns: { db: "cars-db", coll: "Car" },
      documentKey: { _id: insertedId },
      fullDocument: { _id: insertedId, ownerId: "u1", make: "Volvo" },
    });
    expect(insert?.["clusterTime"]).toBeInstanceOf(Timestamp);
    expect(insert?.["_id"]).toEqual({ _data: expect.stringMatching(/^[0-9a-f]{16}$/) });
    // The update is the fillModel trigger's write: triggers see what other triggers do.
    expect(update).toMatchObject({
      operationType: "update",
      updateDescription: {
        updatedFields: { model: "Volvo (model filled by a trigger)" },
        removedFields: [],
      },
      fullDocument: { make: "Volvo", model: "Volvo (model filled by a trigger)" },
      fullDocumentBeforeChange: { make: "Volvo" },
    });
    expect(remove).toMatchObject({
      operationType: "delete",
      documentKey: { _id: insertedId },
      fullDocumentBeforeChange: { model: "Volvo (model filled by a trigger)" },
    });
    expect(remove).not.toHaveProperty("fullDocument");
  });

  it("apply match: a car that has a model is left as it is", async () => {
    const server = await start();
    const system = server.data.system();
    const { insertedId } = await cars(system).insertOne({
      ownerId: "u1",
      make: "Saab",
      model: "900",
    });
    await server.triggers.whenIdle();
    expect(await cars(system).findOne({ _id: insertedId })).toMatchObject({ model: "900" });
    expect(await carEvents(system).count({})).toBe(1);
  });

  it("log each run with its console output; a failing function is logged and the trigger goes on", async () => {
    const server = await start();
    const system = server.data.system();
    await cars(system).insertOne({ ownerId: "u1", make: "Crash", model: "x" });
    const { insertedId } = await cars(system).insertOne({
      ownerId: "u1",
      make: "Fiat",
      model: "500",
    });
    await server.triggers.whenIdle();

    const logs = await server.logs.query({ type: "trigger" });
    expect(logs.map((entry) => [entry.outcome, entry.message])).toEqual([
      [
        "error",
        "trigger recordCarEvents: function recordCarEvent: this trigger cannot handle crashes",
      ],
      ["ok", "trigger recordCarEvents: function recordCarEvent"],
    ]);
    expect(logs[1]?.logs).toEqual([`recording insert of ${String(insertedId)}`]);
    expect(logs[0]?.details).toMatchObject({ error_code: "FunctionExecutionError" });
    expect(await carEvents(system).count({})).toBe(1);
  });

  it("resume after a restart from the stored cursor: nothing missed, nothing repeated", async () => {
    const file = join(dir, "resume.db");
    const first = await start({ file });
    await cars(first.data.system()).insertOne({ ownerId: "u1", make: "A", model: "a" });
    await first.triggers.whenIdle();
    await stop(first);

    // Changes made while no server follows the feed (a second process on the same file).
    const offline = await AtollServer.start({
      appDir: fileURLToPath(new URL("../../../../examples/cars", import.meta.url)),
      port: 0,
      logLevel: "silent",
      storage: `sqlite:${file}`,
    });
    await cars(offline.data.system()).insertMany([
      { _id: new ObjectId(), ownerId: "u1", make: "B", model: "b" },
      { _id: new ObjectId(), ownerId: "u1", make: "C", model: "c" },
    ]);
    await offline.close();

    const second = await start({ file });
    await second.triggers.whenIdle();
    const recorded = await carEvents(second.data.system()).find({});
    expect(
      recorded.map((d) => (d["event"] as { fullDocument: Document }).fullDocument["make"]),
    ).toEqual(["A", "B", "C"]);
    expect(recorded.every((d) => d["deliveries"] === 1)).toBe(true);
  });
});

describe("scheduled triggers", () => {
  const hour = (h: number) => new Date(Date.UTC(2026, 11, 7, h, 0, 0));
  const reports = (data: DataService) => data.db("triggers").collection("reports");

  it("run at each scheduled time, catch up the times missed while stopped, and never twice", async () => {
    const file = join(dir, "scheduled.db");
    const clock = new ManualClock(new Date(hour(9).getTime() + 10 * 60_000));
    const first = await start({ file, clock });
    clock.set(new Date(hour(9).getTime() + 50 * 60_000));
    await first.triggers.whenIdle();
    expect(await reports(first.data.system()).count({})).toBe(0);

    clock.set(hour(10));
    await first.triggers.whenIdle();
    expect(await reports(first.data.system()).count({})).toBe(1);
    await stop(first);

    // Down from 10:00 to 13:30: 11:00, 12:00 and 13:00 were missed.
    clock.set(new Date(hour(13).getTime() + 30 * 60_000));
    const second = await start({ file, clock });
    await second.triggers.whenIdle();
    expect(await reports(second.data.system()).count({})).toBe(4);
    const runs = await second.logs.query({ type: "trigger" });
    expect(runs.map((entry) => entry.details?.["scheduledAt"])).toEqual([
      "2026-12-07T10:00:00.000Z",
      "2026-12-07T11:00:00.000Z",
      "2026-12-07T12:00:00.000Z",
      "2026-12-07T13:00:00.000Z",
    ]);
  });
});

describe("authentication triggers", () => {
  it("CREATE writes the new user's custom user data before the first access token is issued", async () => {
    const server = await start();
    const login = await server.auth.logIn("anon-user", {});
    const claims = JSON.parse(
      Buffer.from(login.access_token.split(".")[1] ?? "", "base64url").toString(),
    ) as { user_data?: Document };
    expect(claims.user_data).toMatchObject({
      userId: login.user_id,
      plan: "free",
      signedUpWith: ["anon-user"],
    });
    const documents = server.data
      .system()
      .db("custom-user-data-database")
      .collection("custom-user-data");
    expect(await documents.count({ userId: login.user_id })).toBe(1);
    const logs = await server.logs.query({ type: "trigger" });
    expect(logs.map((entry) => entry.message)).toEqual([
      "trigger createUserData: function createUserData",
    ]);
  });

  it("LOGIN and DELETE triggers do not fire a CREATE trigger's function", async () => {
    const server = await start();
    const login = await server.auth.logIn("anon-user", {});
    await server.auth.deleteUser(login.user_id);
    await server.triggers.whenIdle();
    const logs = await server.logs.query({ type: "trigger" });
    expect(logs).toHaveLength(1);
  });
});

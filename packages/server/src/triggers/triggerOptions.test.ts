/**
 * The trigger settings beyond the common case: `unordered` with `match` and `project`,
 * `disabled`, `skip_catchup_events` for database and scheduled triggers, and authentication
 * triggers filtered by operation type and provider.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { runCli } from "../cli/test-support/cliProcess.js";
import { MINIMAL_APP, writeApp } from "../config/test-support/appFixture.js";
import type { DataService } from "../data/types.js";
import { ManualClock } from "./test-support/ManualClock.js";

/** A function that stores its first argument (or a marker, without one) in `t.<collection>`. */
const recorder = (collection: string) =>
  `exports = async function (event) {
  await context.services.get("mongodb-atlas").db("t").collection("${collection}")
    .insertOne({ event: event === undefined ? "tick" : event });
};`;

const trigger = (name: string, type: string, config: object, extra: object = {}) => ({
  name,
  type,
  config,
  event_processors: { FUNCTION: { config: { function_name: name } } },
  ...extra,
});

const database = (options: object) => ({
  service_name: "mongodb-atlas",
  database: "shop",
  collection: "Item",
  operation_types: ["INSERT"],
  ...options,
});

const NAMES = [
  "projected",
  "disabledOne",
  "dbSkipper",
  "scheduledSkipper",
  "onLogin",
  "onCreate",
  "onDelete",
];

const APP_FILES: Record<string, unknown> = {
  "functions/config.json": NAMES.map((name) => ({ name, private: true, run_as_system: true })),
  ...Object.fromEntries(NAMES.map((name) => [`functions/${name}.js`, recorder(name)])),
  "triggers/projected.json": trigger(
    "projected",
    "DATABASE",
    database({
      unordered: true,
      match: { "fullDocument.price": { $gt: 10 } },
      project: { operationType: 1, "fullDocument.name": 1 },
    }),
  ),
  "triggers/disabledOne.json": trigger("disabledOne", "DATABASE", database({}), { disabled: true }),
  "triggers/dbSkipper.json": trigger(
    "dbSkipper",
    "DATABASE",
    database({ skip_catchup_events: true }),
  ),
  "triggers/scheduledSkipper.json": trigger("scheduledSkipper", "SCHEDULED", {
    schedule: "*/10 * * * *",
    skip_catchup_events: true,
  }),
  "triggers/onLogin.json": trigger("onLogin", "AUTHENTICATION", {
    operation_type: "LOGIN",
    providers: ["anon-user"],
  }),
  "triggers/onDelete.json": trigger("onDelete", "AUTHENTICATION", {
    operation_type: "DELETE",
    providers: ["anon-user"],
  }),
  "triggers/onCreate.json": trigger("onCreate", "AUTHENTICATION", {
    operation_type: "CREATE",
    providers: ["local-userpass"],
  }),
};

const work = mkdtempSync(join(tmpdir(), "atoll-trigger-options-"));
let appDir = "";
let plainAppDir = "";
const removals: (() => Promise<void>)[] = [];
beforeAll(async () => {
  const app = await writeApp(APP_FILES);
  const plain = await writeApp({}, MINIMAL_APP);
  removals.push(app.remove, plain.remove);
  appDir = app.dir;
  plainAppDir = plain.dir;
});
afterAll(async () => {
  await Promise.all(removals.map((remove) => remove()));
  rmSync(work, { recursive: true, force: true });
});

const running = new Set<AtollServer>();
afterEach(async () => {
  await Promise.all([...running].map((server) => server.close()));
  running.clear();
});

let files = 0;
async function start(
  options: { file?: string; clock?: ManualClock; dir?: string } = {},
): Promise<AtollServer> {
  const server = await AtollServer.start({
    appDir: options.dir ?? appDir,
    port: 0,
    logLevel: "silent",
    storage: `sqlite:${options.file ?? join(work, `store-${++files}.db`)}`,
    ...(options.clock === undefined ? {} : { triggerClock: options.clock }),
  });
  running.add(server);
  return server;
}

async function stop(server: AtollServer): Promise<void> {
  running.delete(server);
  await server.close();
}

const recorded = (data: DataService, name: string) =>
  data
    .db("t")
    .collection(name)
    .find({}, { projection: { _id: 0 } });
const items = (data: DataService) => data.db("shop").collection("Item");

describe("database trigger options", () => {
  it("unordered with match and project: the matching events, projected; a disabled trigger stays silent", async () => {
    const server = await start();
    const system = server.data.system();
    await items(system).insertMany([
      { _id: 1, name: "pin", price: 5 },
      { _id: 2, name: "lamp", price: 20 },
      { _id: 3, name: "desk", price: 30 },
    ]);
    await server.triggers.whenIdle();
    const projected = await recorded(system, "projected");
    expect(projected.map((doc) => doc["event"])).toEqual(
      expect.arrayContaining([
        { _id: expect.anything(), operationType: "insert", fullDocument: { name: "lamp" } },
        { _id: expect.anything(), operationType: "insert", fullDocument: { name: "desk" } },
      ]),
    );
    expect(projected).toHaveLength(2);
    expect(await recorded(system, "disabledOne")).toEqual([]);
  });

  it("skip_catchup_events: changes made while the server was down are skipped by that trigger only", async () => {
    const file = join(work, "skip.db");
    const first = await start({ file });
    await items(first.data.system()).insertOne({ _id: 1, name: "before", price: 11 });
    await first.triggers.whenIdle();
    await stop(first);

    const offline = await start({ file, dir: plainAppDir });
    await items(offline.data.system()).insertOne({ _id: 2, name: "while down", price: 12 });
    await stop(offline);

    const second = await start({ file });
    await items(second.data.system()).insertOne({ _id: 3, name: "after", price: 13 });
    await second.triggers.whenIdle();
    const names = async (trigger: string) =>
      (await recorded(second.data.system(), trigger)).map(
        (doc) => (doc["event"] as { fullDocument: { name: string } }).fullDocument.name,
      );
    expect(await names("dbSkipper")).toEqual(["before", "after"]);
    expect((await names("projected")).sort()).toEqual(["after", "before", "while down"]);
  });
});

describe("scheduled trigger options", () => {
  it("skip_catchup_events: the times missed while stopped do not run", async () => {
    const at = (h: number, m: number) => new Date(Date.UTC(2026, 11, 7, h, m));
    const file = join(work, "scheduled-skip.db");
    const clock = new ManualClock(at(9, 5));
    const first = await start({ file, clock });
    clock.set(at(9, 10));
    await first.triggers.whenIdle();
    expect(await recorded(first.data.system(), "scheduledSkipper")).toHaveLength(1);
    await stop(first);

    clock.set(at(10, 5));
    const second = await start({ file, clock });
    await second.triggers.whenIdle();
    expect(await recorded(second.data.system(), "scheduledSkipper")).toHaveLength(1);
    clock.set(at(10, 10));
    await second.triggers.whenIdle();
    expect(await recorded(second.data.system(), "scheduledSkipper")).toHaveLength(2);
  });
});

describe("authentication trigger options", () => {
  it("fire for their operation type and providers only", async () => {
    const server = await start();
    const login = await server.auth.logIn("anon-user", {});
    await server.triggers.whenIdle();
    const system = server.data.system();
    const logins = await recorded(system, "onLogin");
    expect(logins).toEqual([
      {
        event: {
          operationType: "LOGIN",
          providers: ["anon-user"],
          user: expect.objectContaining({
            id: login.user_id,
            identities: [expect.objectContaining({ provider_type: "anon-user" })],
          }),
          time: expect.any(Date),
        },
      },
    ]);
    // The CREATE trigger is for email/password users only.
    expect(await recorded(system, "onCreate")).toEqual([]);
  });

  it("DELETE fires for a user deleted by the server or by atoll users delete", async () => {
    const file = join(work, "delete.db");
    const server = await start({ file });
    const first = await server.auth.logIn("anon-user", {});
    const second = await server.auth.logIn("anon-user", {});
    await server.auth.deleteUser(first.user_id);
    await stop(server);

    const cli = await runCli(
      ["users", "delete", second.user_id, "--app", appDir, "--storage", `sqlite:${file}`],
      {
        cwd: work,
      },
    );
    expect(cli.code).toBe(0);

    const after = await start({ file });
    const deleted = await recorded(after.data.system(), "onDelete");
    expect(deleted.map((doc) => doc["event"])).toEqual([
      expect.objectContaining({
        operationType: "DELETE",
        providers: ["anon-user"],
        user: expect.objectContaining({ id: first.user_id }),
      }),
      expect.objectContaining({
        operationType: "DELETE",
        providers: ["anon-user"],
        user: expect.objectContaining({ id: second.user_id }),
      }),
    ]);
    const logs = await after.logs.query({ type: "trigger" });
    expect(
      logs.filter((entry) => entry.message === "trigger onDelete: function onDelete"),
    ).toHaveLength(2);
  });
});

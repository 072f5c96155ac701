/**
 * Merge that agrees with realm-core: two realm-core devices (realm-flx) and one
 * `@atoll/client` device edit the same `Task`s at random — fields, whole lists replaced on the
 * native devices (realm-flx writes a list as Clear and inserts), list inserts, moves, erases
 * and sets and counter additions on the Atoll device, deletes and re-creations — among
 * offline periods. realm-core transforms what it downloads against its own unsynced changes
 * with its rules; the server merges with Atoll's. Once every device has uploaded and
 * downloaded everything, all three and the server hold the same tasks.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { User } from "@atoll/client";
import { AtollServer } from "@atoll/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fuzzParameters } from "../../packages/protocol/src/test-support/fuzzParameters.js";
import { RealmFlxDevice } from "../../packages/server/src/sync/realm/test-support/RealmFlxDevice.js";
import {
  logInNewUser,
  openSyncedClient,
  serverTasks,
  snapshotRealm,
  type SyncedClient,
  type Task,
  type TaskSnapshot,
} from "../support/faults/syncedClients.js";
import { writeSyncApp, type SyncAppDir } from "../support/faults/syncApp.js";

/** `Task` as a realm-core app declares it: the Atoll client's counter is a plain int there. */
const NATIVE_TASK = {
  name: "Task",
  primaryKey: "_id",
  properties: {
    _id: "string",
    group: "string",
    title: "string?",
    points: "int",
    tags: "string[]",
  },
};
const GROUP = "a";
const IDS = ["t0", "t1", "t2"] as const;
const WORDS = ["x", "y", "z", "w"] as const;

type Command =
  | { readonly kind: "create"; readonly device: number; readonly id: string }
  | { readonly kind: "title"; readonly device: number; readonly id: string; readonly title: string }
  | {
      readonly kind: "points";
      readonly device: number;
      readonly id: string;
      readonly points: number;
    }
  | { readonly kind: "tags"; readonly device: number; readonly id: string; readonly tags: string[] }
  | { readonly kind: "delete"; readonly device: number; readonly id: string }
  | { readonly kind: "offline"; readonly device: number }
  | { readonly kind: "online"; readonly device: number }
  /** Waits until the (online) device has uploaded everything: only in the fixed scenarios. */
  | { readonly kind: "upload"; readonly device: number }
  | { readonly kind: "add"; readonly id: string; readonly amount: number }
  | { readonly kind: "insert"; readonly id: string; readonly index: number; readonly word: string }
  | { readonly kind: "move"; readonly id: string; readonly from: number; readonly to: number }
  | { readonly kind: "erase"; readonly id: string; readonly index: number }
  | { readonly kind: "setAt"; readonly id: string; readonly index: number; readonly word: string };

/** Devices 0 and 1 are realm-core's, 2 is the Atoll client. */
const anyDevice = fc.integer({ min: 0, max: 2 });
const id = fc.constantFrom(...IDS);
const word = fc.constantFrom(...WORDS);
const index = fc.nat({ max: 4 });
const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), device: anyDevice, id }),
  fc.record({ kind: fc.constant("title" as const), device: anyDevice, id, title: word }),
  fc.record({
    kind: fc.constant("points" as const),
    device: anyDevice,
    id,
    points: fc.integer({ min: 0, max: 9 }),
  }),
  fc.record({
    kind: fc.constant("tags" as const),
    device: anyDevice,
    id,
    tags: fc.array(word, { maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), device: anyDevice, id }),
  fc.record({ kind: fc.constant("offline" as const), device: anyDevice }),
  fc.record({ kind: fc.constant("online" as const), device: anyDevice }),
  fc.record({ kind: fc.constant("add" as const), id, amount: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant("insert" as const), id, index, word }),
  fc.record({ kind: fc.constant("move" as const), id, from: index, to: index }),
  fc.record({ kind: fc.constant("erase" as const), id, index }),
  fc.record({ kind: fc.constant("setAt" as const), id, index, word }),
);

let appDir: SyncAppDir;
let dir: string;
let server: AtollServer;
let natives: RealmFlxDevice[] = [];
let atoll: SyncedClient;
let atollUser: User;

beforeAll(async () => {
  appDir = await writeSyncApp();
  dir = mkdtempSync(join(tmpdir(), "atoll-realm-convergence-"));
  server = await AtollServer.start({
    appDir: appDir.dir,
    port: 0,
    storage: `sqlite:${join(dir, "server.sqlite")}`,
    logLevel: "silent",
  });
  natives = await Promise.all(
    ["phone", "tablet"].map(async (name) => {
      const native = await RealmFlxDevice.start(name, server.url, server.appId);
      await native.command({ cmd: "login", provider: "anonymous" });
      await native.command({
        cmd: "open",
        path: "tasks.realm",
        schema: [NATIVE_TASK],
        subscriptions: [{ name: "group", class: "Task", query: `group == "${GROUP}"` }],
      });
      return native;
    }),
  );
  atollUser = await logInNewUser(server.url, server.appId, join(dir, "atoll"));
  atoll = await openSyncedClient({
    name: "atoll",
    user: atollUser,
    path: join(dir, "atoll", "tasks.realm"),
    groups: [GROUP],
  });
});

afterAll(async () => {
  atoll?.close();
  await Promise.all(natives.map((native) => native.quit()));
  await server?.close();
  await appDir?.remove();
  rmSync(dir, { recursive: true, force: true });
});

function nativeOf(device: number): RealmFlxDevice | undefined {
  return natives[device];
}

function atollTask(taskId: string): Task | null {
  return atoll.realm.objectForPrimaryKey<Task>("Task", taskId);
}

/** Runs one command; one that finds no object to change (a native device's refusal) does nothing. */
async function execute(command: Command): Promise<void> {
  if ("device" in command) {
    const native = nativeOf(command.device);
    if (native !== undefined) {
      await native.send(nativeCommand(command));
      return;
    }
  }
  if (command.kind === "upload")
    await atoll.settle(atoll.realm.syncSession!.uploadAllLocalChanges(30_000));
  else atollWrite(command);
}

function nativeCommand(command: Command): Record<string, unknown> {
  const write = (op: Record<string, unknown>) => ({ cmd: "write", ops: [op] });
  switch (command.kind) {
    case "offline":
      return { cmd: "pause" };
    case "online":
      return { cmd: "resume" };
    case "upload":
      return { cmd: "upload" };
    case "create":
      return write({
        op: "create",
        class: "Task",
        value: { _id: command.id, group: GROUP, points: 0, tags: [] },
      });
    case "title":
      return write({
        op: "set",
        class: "Task",
        pk: command.id,
        field: "title",
        value: command.title,
      });
    case "points":
      return write({
        op: "set",
        class: "Task",
        pk: command.id,
        field: "points",
        value: command.points,
      });
    case "tags":
      return write({
        op: "set",
        class: "Task",
        pk: command.id,
        field: "tags",
        value: command.tags,
      });
    case "delete":
      return write({ op: "delete", class: "Task", pk: command.id });
    default:
      throw new Error(`${command.kind} is the Atoll device's`);
  }
}

function atollWrite(command: Command): void {
  const session = atoll.realm.syncSession!;
  if (command.kind === "offline") return session.pause();
  if (command.kind === "online") return session.resume();
  if (command.kind === "upload") return;
  const task = atollTask(command.id);
  atoll.realm.write(() => {
    if (command.kind === "create") {
      if (task === null)
        atoll.realm.create("Task", { _id: command.id, group: GROUP, points: 0, tags: [] });
      return;
    }
    if (task === null) return;
    const tags = task.tags;
    switch (command.kind) {
      case "title":
        task.title = command.title;
        return;
      case "points":
        task.points.set(command.points);
        return;
      case "add":
        task.points.increment(command.amount);
        return;
      case "tags":
        task.tags = command.tags as unknown as Task["tags"];
        return;
      case "delete":
        atoll.realm.delete(task);
        return;
      case "insert":
        tags.splice(Math.min(command.index, tags.length), 0, command.word);
        return;
      case "move":
        if (command.from < tags.length && command.to < tags.length)
          tags.move(command.from, command.to);
        return;
      case "erase":
        if (command.index < tags.length) tags.remove(command.index);
        return;
      case "setAt":
        if (command.index < tags.length) tags.set(command.index, command.word);
        return;
    }
  });
}

function nativeSnapshot(objects: unknown): TaskSnapshot[] {
  return (objects as Record<string, unknown>[]).map((task) => ({
    _id: String(task._id),
    group: String(task.group),
    title: typeof task.title === "string" ? task.title : null,
    points: Number((task.points as { $numberLong: string }).$numberLong),
    tags: (task.tags as string[]).map(String),
  }));
}

async function nativeTasks(native: RealmFlxDevice): Promise<TaskSnapshot[]> {
  const { objects } = await native.command({ cmd: "query", class: "Task", sort: "_id ASC" });
  return nativeSnapshot(objects);
}

/** Everyone online; uploads, then downloads, on every device until a round changes nothing. */
async function quiesce(): Promise<TaskSnapshot[][]> {
  atoll.realm.syncSession!.resume();
  for (const native of natives) await native.command({ cmd: "resume" });
  let previous = "";
  for (let round = 1; round <= 10; round++) {
    for (const native of natives) await native.command({ cmd: "upload" });
    await atoll.settle(atoll.realm.syncSession!.uploadAllLocalChanges(30_000));
    for (const native of natives) await native.command({ cmd: "download" });
    await atoll.settle(atoll.realm.syncSession!.downloadAllServerChanges(30_000));
    const states = [...(await Promise.all(natives.map(nativeTasks))), snapshotRealm(atoll.realm)];
    const now = JSON.stringify(states);
    if (round >= 2 && now === previous) return states;
    previous = now;
  }
  throw new Error("the devices did not settle within 10 rounds");
}

/**
 * Runs `commands` in order, brings every device level, and checks that all agree with the
 * server on the tasks whose ids start with `prefix` (earlier runs' tasks are theirs).
 */
async function convergeAfter(commands: readonly Command[], prefix = ""): Promise<TaskSnapshot[]> {
  for (const command of commands) await execute(command);
  const mine = (tasks: readonly TaskSnapshot[]) =>
    tasks.filter((task) => task._id.startsWith(prefix));
  const [phone, tablet, onAtoll] = (await quiesce()).map(mine);
  const onServer = mine(await serverTasks(server, [GROUP]));
  expect(phone, "phone (realm-core)").toEqual(onServer);
  expect(tablet, "tablet (realm-core)").toEqual(onServer);
  expect(onAtoll, "Atoll device").toEqual(onServer);
  expect(atoll.errors).toEqual([]);
  return onServer;
}

const PHONE = 0;
const TABLET = 1;
const ATOLL = 2;

function tagsOf(tasks: readonly TaskSnapshot[], taskId: string): readonly string[] | undefined {
  return tasks.find((task) => task._id === taskId)?.tags;
}

it("a move made offline, on a list another device replaced by a shorter one, gives way to the replacement", async () => {
  const tasks = await convergeAfter([
    { kind: "create", device: ATOLL, id: "moved" },
    { kind: "tags", device: ATOLL, id: "moved", tags: ["x", "y", "z"] },
    { kind: "online", device: ATOLL },
  ]).then(() =>
    convergeAfter([
      { kind: "offline", device: ATOLL },
      { kind: "move", id: "moved", from: 2, to: 0 },
      { kind: "tags", device: PHONE, id: "moved", tags: ["w"] },
    ]),
  );
  expect(tagsOf(tasks, "moved")).toEqual(["w"]);
});

it("two devices replacing one list offline: the later replacement wins whole, as realm-core decides", async () => {
  await convergeAfter([
    { kind: "create", device: PHONE, id: "replaced" },
    { kind: "tags", device: PHONE, id: "replaced", tags: ["x"] },
  ]);
  const tasks = await convergeAfter([
    { kind: "offline", device: PHONE },
    { kind: "offline", device: TABLET },
    { kind: "tags", device: TABLET, id: "replaced", tags: ["z"] },
    { kind: "tags", device: PHONE, id: "replaced", tags: ["y", "y"] },
    // The later replacement reaches the server first; the earlier one, arriving after it, loses.
    { kind: "online", device: PHONE },
    { kind: "upload", device: PHONE },
  ]);
  expect(tagsOf(tasks, "replaced")).toEqual(["y", "y"]);
});

it("a change made offline to an object another device erased and created again is lost, as realm-core decides", async () => {
  await convergeAfter([{ kind: "create", device: PHONE, id: "recreated" }]);
  const tasks = await convergeAfter([
    { kind: "offline", device: TABLET },
    { kind: "title", device: TABLET, id: "recreated", title: "mine" },
    { kind: "delete", device: PHONE, id: "recreated" },
    { kind: "create", device: PHONE, id: "recreated" },
    { kind: "upload", device: PHONE },
  ]);
  expect(tasks.find((task) => task._id === "recreated")).toMatchObject({ title: null });
});

it("an erase made offline, later than another device's erase and re-create, erases the object everywhere", async () => {
  await convergeAfter([{ kind: "create", device: PHONE, id: "erased-twice" }]);
  const tasks = await convergeAfter([
    { kind: "offline", device: TABLET },
    { kind: "delete", device: PHONE, id: "erased-twice" },
    { kind: "create", device: PHONE, id: "erased-twice" },
    { kind: "upload", device: PHONE },
    { kind: "delete", device: TABLET, id: "erased-twice" },
  ]);
  expect(tasks.find((task) => task._id === "erased-twice")).toBeUndefined();
});

it(
  "two realm-core devices and an Atoll device converge after random concurrent edits",
  { timeout: 120_000 },
  async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(commandArbitrary, { minLength: 20, maxLength: 60 }),
        async (commands) => {
          // Each run edits tasks of its own, so a failing run shrinks to its own commands.
          run += 1;
          const prefix = `run${run}-`;
          const own = (command: Command): Command =>
            "id" in command ? { ...command, id: `${prefix}${command.id}` } : command;
          await convergeAfter(commands.map(own), prefix);
        },
      ),
      fuzzParameters(8),
    );
  },
);

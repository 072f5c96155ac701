/**
 * Client resets over the real wire. The server is restored from a backup taken before the
 * device first synced, so the device's file identity is unknown to it (error 208, a client
 * reset). Then, per `sync.clientReset.mode`: the device's state becomes the server's fresh
 * copy and its unsynced changes are redone on it and uploaded (recover, the default) or
 * dropped (discard); or, in manual mode, the session stops and the app is told, the file left
 * as it was. The callbacks get the realm before, a read-only copy of it after, and the live
 * realm.
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { App, Credentials, Realm } from "@atoll/client";
import type { ClientResetConfig, SyncError, SyncSession, User } from "@atoll/client";
import { AtollServer } from "@atoll/server";
import { freePort } from "../support/freePort.js";
import { TaskSchema, writeSyncApp, type SyncAppDir } from "../support/faults/syncApp.js";
import { serverTasks, snapshotRealm, type TaskSnapshot } from "../support/faults/syncedClients.js";

const SQLITE_FILES = ["", "-wal", "-shm"];

let appDir: SyncAppDir;
let root: string;
/** The same app, but `group` is no longer a queryable field: the device's subscription is refused. */
let narrowedAppDir: string;
/** The same app with `client_max_offline_days: 30`. */
let expiringAppDir: string;
/** The same app whose Task rules hide tasks titled "secret". */
let secretiveAppDir: string;
beforeAll(async () => {
  appDir = await writeSyncApp();
  root = mkdtempSync(join(tmpdir(), "atoll-e2e-reset-"));
  narrowedAppDir = join(root, "narrowed-app");
  cpSync(appDir.dir, narrowedAppDir, { recursive: true });
  const configFile = join(narrowedAppDir, "sync", "config.json");
  const config = JSON.parse(readFileSync(configFile, "utf8")) as {
    queryable_fields_names: string[];
  };
  config.queryable_fields_names = config.queryable_fields_names.filter((name) => name !== "group");
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  secretiveAppDir = join(root, "secretive-app");
  cpSync(appDir.dir, secretiveAppDir, { recursive: true });
  const rulesFile = join(
    secretiveAppDir,
    "data_sources",
    "mongodb-atlas",
    "cars-db",
    "Task",
    "rules.json",
  );
  const rules = JSON.parse(readFileSync(rulesFile, "utf8")) as {
    roles: { document_filters: { read: unknown; write: unknown } }[];
  };
  // Write implies read, so both filters narrow.
  rules.roles[0]!.document_filters = {
    read: { title: { $ne: "secret" } },
    write: { title: { $ne: "secret" } },
  };
  writeFileSync(rulesFile, JSON.stringify(rules));
  expiringAppDir = join(root, "expiring-app");
  cpSync(appDir.dir, expiringAppDir, { recursive: true });
  const expiringConfig = join(expiringAppDir, "sync", "config.json");
  writeFileSync(
    expiringConfig,
    JSON.stringify({
      ...JSON.parse(readFileSync(expiringConfig, "utf8")),
      client_max_offline_days: 30,
    }),
  );
});
afterAll(async () => {
  await appDir?.remove();
  rmSync(root, { recursive: true, force: true });
});

/** A server on one port and SQLite file that can be backed up and restored while stopped. */
class RestorableServer {
  server!: AtollServer;
  private constructor(
    private readonly file: string,
    private readonly port: number,
  ) {}

  static async start(name: string): Promise<RestorableServer> {
    const restorable = new RestorableServer(join(root, `${name}.sqlite`), await freePort());
    await restorable.run();
    return restorable;
  }

  get url(): string {
    return this.server.url;
  }

  /** Stops the server, copies its files aside, starts it again. */
  async backUp(): Promise<void> {
    await this.server.close();
    this.copyFiles(this.file, `${this.file}.backup`);
    await this.run();
  }

  /** Stops the server, puts the backup in place of its files, starts it again (on another app export if given). */
  async restore(app?: string): Promise<void> {
    await this.server.close();
    this.copyFiles(`${this.file}.backup`, this.file);
    await this.run(app);
  }

  /** Stops the server and starts it again on the same files (on another app export if given). */
  async restart(app?: string): Promise<void> {
    await this.server.close();
    await this.run(app);
  }

  tasks(): Promise<TaskSnapshot[]> {
    return serverTasks(this.server, ["g"]);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private copyFiles(from: string, to: string): void {
    for (const suffix of SQLITE_FILES) {
      rmSync(to + suffix, { force: true });
      if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
    }
  }

  private async run(app = appDir.dir): Promise<void> {
    this.server = await AtollServer.start({
      appDir: app,
      port: this.port,
      storage: `sqlite:${this.file}`,
      logLevel: "silent",
    });
  }
}

const task = (_id: string, title: string): Record<string, unknown> => ({
  _id,
  group: "g",
  title,
  points: 0,
  tags: [],
});

interface Scenario {
  readonly server: RestorableServer;
  readonly user: User;
  readonly realm: Realm;
  readonly errors: SyncError[];
  /** What the callbacks saw, in order: name, and the tasks of the realms they were given. */
  readonly calls: { name: string; realms: TaskSnapshot[][]; path?: string }[];
  /** Resolves at the first callback (an after-callback, onManual or onFallback). */
  readonly settled: Promise<void>;
}

/**
 * A server with tasks a1 and a2, backed up; a device that syncs them, makes a synced change
 * (b1 created, a1 retitled) the backup does not have, then, offline, unsynced ones (c1
 * created, a2 retitled); then the server is restored from the backup.
 */
async function deviceBehindRestoredServer(
  name: string,
  clientReset: (record: Scenario["calls"], settle: () => void) => ClientResetConfig<Realm>,
  restoredApp?: string,
): Promise<Scenario> {
  const server = await RestorableServer.start(name);
  const tasks = server.server.data.system().db("cars-db").collection("Task");
  await tasks.insertMany([task("a1", "first"), task("a2", "second")]);
  const app = new App({
    id: server.server.appId,
    baseUrl: server.url,
    baseFilePath: join(root, name),
  });
  const user = await app.logIn(Credentials.anonymous(false));
  await server.backUp();

  const errors: SyncError[] = [];
  const calls: Scenario["calls"] = [];
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const realm = await Realm.open({
    schema: [TaskSchema],
    path: join(root, `${name}.realm`),
    sync: {
      user,
      flexible: true,
      initialSubscriptions: {
        update: (subs, r) => void subs.add(r.objects("Task").filtered("group == 'g'")),
      },
      onError: (_session: SyncSession, error: SyncError) => void errors.push(error),
      clientReset: clientReset(calls, settle),
    },
  });
  expect(snapshotRealm(realm).map((t) => t._id)).toEqual(["a1", "a2"]);
  realm.write(() => {
    realm.create("Task", task("b1", "synced, then lost by the restore"));
    realm.objectForPrimaryKey<{ title: string }>("Task", "a1")!.title = "synced edit";
  });
  await realm.syncSession!.uploadAllLocalChanges();
  realm.syncSession!.pause();
  realm.write(() => {
    realm.create("Task", task("c1", "made offline"));
    realm.objectForPrimaryKey<{ title: string }>("Task", "a2")!.title = "offline edit";
  });
  await server.restore(restoredApp);
  return { server, user, realm, errors, calls, settled };
}

/** Resolves once `condition` holds (checked every 10 ms). */
function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (!condition()) return;
      clearInterval(poll);
      resolve();
    }, 10);
  });
}

const titles = (tasks: readonly TaskSnapshot[]): string[] =>
  tasks.map((t) => `${t._id}:${t.title ?? ""}`);

describe("client reset after the server was restored from a backup", () => {
  it("recovers unsynced changes over the fresh copy by default, and uploads them", async () => {
    const scenario = await deviceBehindRestoredServer("recover", (calls, settle) => ({
      mode: Realm.ClientResetMode.RecoverOrDiscardUnsyncedChanges,
      onBefore: (realm) => void calls.push({ name: "onBefore", realms: [snapshotRealm(realm)] }),
      onRecovery: (before, after) => {
        calls.push({ name: "onRecovery", realms: [snapshotRealm(before), snapshotRealm(after)] });
        settle();
      },
      onDiscard: () => void calls.push({ name: "onDiscard", realms: [] }),
    }));
    const { server, realm } = scenario;
    try {
      const tasks = realm.objects("Task");
      const changes: { insertions: number[]; deletions: number[] }[] = [];
      tasks.addListener((_collection, change) => {
        if (change.insertions.length + change.deletions.length + change.newModifications.length)
          changes.push({ insertions: change.insertions, deletions: change.deletions });
      });
      realm.syncSession!.resume();
      await scenario.settled;
      await realm.syncSession!.uploadAllLocalChanges();
      await realm.syncSession!.downloadAllServerChanges();

      const expected = ["a1:first", "a2:offline edit", "c1:made offline"];
      expect(titles(snapshotRealm(realm))).toEqual(expected);
      expect(titles(await server.tasks())).toEqual(expected);
      expect(scenario.calls.map((c) => c.name)).toEqual(["onBefore", "onRecovery"]);
      const [before] = scenario.calls[0]!.realms;
      expect(titles(before!)).toEqual([
        "a1:synced edit",
        "a2:offline edit",
        "b1:synced, then lost by the restore",
        "c1:made offline",
      ]);
      const [copy, after] = scenario.calls[1]!.realms;
      expect(copy).toEqual(before);
      expect(titles(after!)).toEqual(expected);
      expect(existsSync(`${realm.path}.before-reset`)).toBe(false);
      // One net change for the reset: b1 went away, nothing was deleted and inserted again.
      expect(changes.flatMap((c) => c.deletions)).toEqual([2]);
      expect(changes.flatMap((c) => c.insertions)).toEqual([]);
      expect(scenario.errors).toEqual([]);
    } finally {
      realm.close();
      await server.close();
    }
  });

  it("drops unsynced changes in discardUnsyncedChanges mode", async () => {
    const scenario = await deviceBehindRestoredServer("discard", (calls, settle) => ({
      mode: Realm.ClientResetMode.DiscardUnsyncedChanges,
      onAfter: (before, after) => {
        calls.push({ name: "onAfter", realms: [snapshotRealm(before), snapshotRealm(after)] });
        settle();
      },
    }));
    const { server, realm } = scenario;
    try {
      realm.syncSession!.resume();
      await scenario.settled;
      await realm.syncSession!.uploadAllLocalChanges();
      await realm.syncSession!.downloadAllServerChanges();
      const backup = ["a1:first", "a2:second"];
      expect(titles(snapshotRealm(realm))).toEqual(backup);
      expect(titles(await server.tasks())).toEqual(backup);
      expect(titles(scenario.calls[0]!.realms[0]!)).toContain("c1:made offline");
      expect(scenario.errors).toEqual([]);
      // Writes after the reset sync as usual.
      realm.write(() => realm.create("Task", task("d1", "after the reset")));
      await realm.syncSession!.uploadAllLocalChanges();
      expect(titles(await server.tasks())).toEqual([...backup, "d1:after the reset"]);
    } finally {
      realm.close();
      await server.close();
    }
  });

  it("completes with an empty view when the server now refuses the subscription", async () => {
    const scenario = await deviceBehindRestoredServer(
      "refused",
      (calls, settle) => ({
        mode: Realm.ClientResetMode.RecoverUnsyncedChanges,
        onAfter: (before, after) => {
          calls.push({ name: "onAfter", realms: [snapshotRealm(before), snapshotRealm(after)] });
          settle();
        },
      }),
      narrowedAppDir,
    );
    const { server, realm } = scenario;
    try {
      realm.syncSession!.resume();
      await scenario.settled;
      await expect(realm.subscriptions.waitForSynchronization()).rejects.toMatchObject({
        code: 226,
      });
      // c1, recovered on the empty view, is outside it: the server reverts it.
      await realm.syncSession!.uploadAllLocalChanges();
      await realm.syncSession!.downloadAllServerChanges();
      expect(snapshotRealm(realm)).toEqual([]);
      expect(scenario.errors.map((error) => error.code)).toEqual([231]);
      expect(titles(await server.tasks())).toEqual(["a1:first", "a2:second"]);
    } finally {
      realm.close();
      await server.close();
    }
  });

  it("stops the session and tells onManual in manual mode, leaving the file as it was", async () => {
    const scenario = await deviceBehindRestoredServer("manual", (calls, settle) => ({
      mode: Realm.ClientResetMode.Manual,
      onManual: (session, path) => {
        calls.push({ name: "onManual", realms: [], path });
        expect(session.state).toBe(Realm.SessionState.Invalid);
        settle();
      },
    }));
    const { server, realm } = scenario;
    try {
      realm.syncSession!.resume();
      await scenario.settled;
      expect(scenario.calls).toEqual([{ name: "onManual", realms: [], path: realm.path }]);
      expect(scenario.errors).toEqual([]);
      expect(titles(snapshotRealm(realm))).toEqual([
        "a1:synced edit",
        "a2:offline edit",
        "b1:synced, then lost by the restore",
        "c1:made offline",
      ]);
      await expect(realm.syncSession!.uploadAllLocalChanges()).rejects.toMatchObject({
        name: "ClientReset",
        code: 208,
      });
      expect(titles(await server.tasks())).toEqual(["a1:first", "a2:second"]);
    } finally {
      realm.close();
      await server.close();
    }
  });

  it("reports a ClientResetError to onError in manual mode without onManual", async () => {
    const scenario = await deviceBehindRestoredServer("manual-error", () => ({
      mode: Realm.ClientResetMode.Manual,
    }));
    const { server, realm } = scenario;
    try {
      realm.syncSession!.resume();
      await until(() => scenario.errors.length > 0);
      const error = scenario.errors[0]!;
      expect(error).toBeInstanceOf(Realm.ClientResetError);
      expect(error).toMatchObject({ name: "ClientReset", code: 208, isFatal: true });
      expect((error as InstanceType<typeof Realm.ClientResetError>).config.path).toBe(realm.path);
    } finally {
      realm.close();
      await server.close();
    }
  });
});

/**
 * A device on `server` (a new anonymous user) subscribed to group "g", recovering on a reset;
 * `calls` records onBefore, onRecovery and the codes onError hears.
 */
async function openRecoveringDevice(
  server: AtollServer,
  name: string,
  calls: string[],
): Promise<Realm> {
  const app = new App({ id: server.appId, baseUrl: server.url, baseFilePath: join(root, name) });
  const user = await app.logIn(Credentials.anonymous(false));
  return Realm.open({
    schema: [TaskSchema],
    path: join(root, `${name}.realm`),
    sync: {
      user,
      flexible: true,
      initialSubscriptions: {
        update: (subs, r) => void subs.add(r.objects("Task").filtered("group == 'g'")),
      },
      onError: (_session, error) => void calls.push(`onError ${error.code}`),
      clientReset: {
        mode: Realm.ClientResetMode.RecoverOrDiscardUnsyncedChanges,
        onBefore: () => void calls.push("onBefore"),
        onRecovery: () => void calls.push("onRecovery"),
      },
    },
  });
}

describe("client reset after a device stayed offline longer than client_max_offline_days", () => {
  it("resets the expired device, recovers its offline writes, and keeps the device that stayed in touch", async () => {
    const DAY = 24 * 60 * 60 * 1000;
    let clock = Date.UTC(2026, 0, 1);
    const server = await AtollServer.start({
      appDir: expiringAppDir,
      port: 0,
      storage: `sqlite:${join(root, "expiring.sqlite")}`,
      logLevel: "silent",
      sync: { now: () => new Date(clock) },
    });
    const realms: Realm[] = [];
    try {
      const open = async (name: string, calls: string[]): Promise<Realm> => {
        const realm = await openRecoveringDevice(server, name, calls);
        realms.push(realm);
        return realm;
      };
      const awayCalls: string[] = [];
      const stayCalls: string[] = [];
      const away = await open("away", awayCalls);
      const stay = await open("stay", stayCalls);
      away.write(() => away.create("Task", task("before", "written before leaving")));
      await away.syncSession!.uploadAllLocalChanges();
      away.syncSession!.pause();
      away.write(() => away.create("Task", task("offline", "written offline")));
      // The server has seen the device go (its last-seen time is taken then) before time moves.
      await until(() => server.sync!.sessionCount === 1);

      clock += 31 * DAY;
      stay.write(() => stay.create("Task", task("meanwhile", "written while away was gone")));
      await stay.syncSession!.uploadAllLocalChanges();
      const compaction = await server.sync!.compactor.run();
      expect(compaction?.expired.length).toBe(1);

      away.syncSession!.resume();
      await until(() => awayCalls.includes("onRecovery"));
      await away.syncSession!.uploadAllLocalChanges();
      await stay.syncSession!.downloadAllServerChanges();
      await away.syncSession!.downloadAllServerChanges();

      const expected = [
        "before:written before leaving",
        "meanwhile:written while away was gone",
        "offline:written offline",
      ];
      expect(titles(snapshotRealm(away))).toEqual(expected);
      expect(titles(snapshotRealm(stay))).toEqual(expected);
      expect(titles(await serverTasks(server, ["g"]))).toEqual(expected);
      expect(awayCalls).toEqual(["onBefore", "onRecovery"]);
      expect(stayCalls).toEqual([]);
    } finally {
      for (const realm of realms) realm.close();
      await server.close();
    }
  });
});

describe("client reset after the rules changed", () => {
  it("resets a device whose read filter changed (228) to exactly its new view, and no other", async () => {
    const server = await RestorableServer.start("rules");
    const tasks = server.server.data.system().db("cars-db").collection("Task");
    await tasks.insertMany([task("a1", "secret"), task("a2", "plain")]);
    const calls: string[] = [];
    const realm = await openRecoveringDevice(server.server, "rules", calls);
    try {
      expect(titles(snapshotRealm(realm))).toEqual(["a1:secret", "a2:plain"]);
      // Same rules: the device reconnects as it is.
      await server.restart();
      await realm.syncSession!.downloadAllServerChanges();
      realm.write(() => realm.create("Task", task("b1", "after the first restart")));
      await realm.syncSession!.uploadAllLocalChanges();
      expect(calls).toEqual([]);

      await server.restart(secretiveAppDir);
      await until(() => calls.includes("onRecovery"));
      await realm.syncSession!.downloadAllServerChanges();
      expect(titles(snapshotRealm(realm))).toEqual(["a2:plain", "b1:after the first restart"]);
      expect(calls).toEqual(["onBefore", "onRecovery"]);
      expect(titles(await server.tasks())).toEqual([
        "a1:secret",
        "a2:plain",
        "b1:after the first restart",
      ]);
    } finally {
      realm.close();
      await server.close();
    }
  });
});

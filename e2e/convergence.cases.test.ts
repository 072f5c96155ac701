/**
 * Convergence cases the property found, kept as plain regression tests: each is a short
 * script of writes on real clients against a real server, then the same checks as the
 * property (every client equals the server's view, nothing but reported compensations).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AtollServer } from "@atoll/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSyncApp, type SyncAppDir } from "./support/faults/syncApp.js";
import {
  logInNewUser,
  openSyncedClient,
  quiesce,
  serverTasks,
  snapshotRealm,
  tasksOf,
  type SyncedClient,
} from "./support/faults/syncedClients.js";

let appDir: SyncAppDir;
let dir: string;
let server: AtollServer;
beforeAll(async () => {
  appDir = await writeSyncApp();
  dir = mkdtempSync(join(tmpdir(), "atoll-convergence-cases-"));
  server = await AtollServer.start({
    appDir: appDir.dir,
    port: 0,
    storage: `sqlite:${join(dir, "server.sqlite")}`,
    logLevel: "silent",
  });
});
afterAll(async () => {
  await server?.close();
  await appDir?.remove();
  rmSync(dir, { recursive: true, force: true });
});

let opened = 0;
async function openClient(groups: readonly string[]): Promise<SyncedClient> {
  const n = ++opened;
  const user = await logInNewUser(server.url, server.appId, join(dir, `user-${n}`));
  return openSyncedClient({ name: `c${n}`, user, path: join(dir, `c${n}.realm`), groups });
}

async function twoClients(group: string): Promise<[SyncedClient, SyncedClient]> {
  return [await openClient([group]), await openClient([group])];
}

/** Every client holds exactly the server's documents for its own view, with no error reported. */
async function expectConverged(clients: readonly SyncedClient[]): Promise<void> {
  await quiesce(clients);
  for (const client of clients) {
    expect(snapshotRealm(client.realm), client.name).toEqual(
      await serverTasks(server, client.groups),
    );
    expect(client.errors, client.name).toEqual([]);
  }
}

/** Waits for the clock to pass the current millisecond, so that the next write is later. */
function nextMillisecond(): void {
  const now = Date.now();
  while (Date.now() <= now) {
    /* spin: at most one millisecond */
  }
}

describe("convergence cases", () => {
  it("drops an offline list insert into an object another device erased (erase wins)", async () => {
    const clients = await twoClients("erase-vs-insert");
    const [eraser, inserter] = clients;
    try {
      eraser.realm.write(() =>
        eraser.realm.create("Task", {
          _id: "e1",
          group: "erase-vs-insert",
          points: 0,
          tags: ["x"],
        }),
      );
      await quiesce(clients);
      inserter.realm.syncSession!.pause();
      inserter.realm.write(() => tasksOf(inserter.realm)[0]!.tags.insert(1, "y"));
      eraser.realm.write(() => eraser.realm.delete(tasksOf(eraser.realm)[0]!));
      await expectConverged(clients);
      expect(snapshotRealm(inserter.realm)).toEqual([]);
    } finally {
      for (const client of clients) client.close();
    }
  });

  it("adds up offline counter increments from two devices", async () => {
    const clients = await twoClients("increments");
    const [a, b] = clients;
    try {
      a.realm.write(() =>
        a.realm.create("Task", { _id: "n1", group: "increments", points: 0, tags: [] }),
      );
      await quiesce(clients);
      for (const client of clients) client.realm.syncSession!.pause();
      a.realm.write(() => tasksOf(a.realm)[0]!.points.increment(3));
      b.realm.write(() => tasksOf(b.realm)[0]!.points.increment(4));
      a.realm.write(() => tasksOf(a.realm)[0]!.points.increment(5));
      await expectConverged(clients);
      expect(snapshotRealm(a.realm)[0]!.points).toBe(12);
    } finally {
      for (const client of clients) client.close();
    }
  });

  it("brings back an object a device's own offline write moved into its view after another device moved it out", async () => {
    const wide = await openClient(["back-a", "back-b"]);
    const narrow = await openClient(["back-a"]);
    const clients = [wide, narrow];
    try {
      narrow.realm.write(() =>
        narrow.realm.create("Task", { _id: "m1", group: "back-a", points: 0, tags: ["x"] }),
      );
      await quiesce(clients);
      narrow.realm.syncSession!.pause();
      wide.realm.write(() => (tasksOf(wide.realm)[0]!.group = "back-b"));
      await wide.settle(wide.realm.syncSession!.uploadAllLocalChanges(30_000));
      nextMillisecond();
      // Later than the move out, so it wins: the server keeps the task in the narrow view.
      narrow.realm.write(() => (tasksOf(narrow.realm)[0]!.group = "back-a"));
      await expectConverged(clients);
      expect(snapshotRealm(narrow.realm).map((task) => task.group)).toEqual(["back-a"]);
    } finally {
      for (const client of clients) client.close();
    }
  });
});

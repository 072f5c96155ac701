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
async function twoClients(group: string): Promise<[SyncedClient, SyncedClient]> {
  const open = async (): Promise<SyncedClient> => {
    const n = ++opened;
    const user = await logInNewUser(server.url, server.appId, join(dir, `user-${n}`));
    return openSyncedClient({
      name: `c${n}`,
      user,
      path: join(dir, `c${n}.realm`),
      groups: [group],
    });
  };
  return [await open(), await open()];
}

async function expectConverged(clients: readonly SyncedClient[], group: string): Promise<void> {
  await quiesce(clients);
  for (const client of clients) {
    expect(snapshotRealm(client.realm), client.name).toEqual(await serverTasks(server, [group]));
    expect(client.errors, client.name).toEqual([]);
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
      await expectConverged(clients, "erase-vs-insert");
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
      await expectConverged(clients, "increments");
      expect(snapshotRealm(a.realm)[0]!.points).toBe(12);
    } finally {
      for (const client of clients) client.close();
    }
  });
});

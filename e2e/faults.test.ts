/**
 * Faults with real clients: the server killed (SIGKILL) while a client uploads and restarted
 * on the same file and port; the connection dropped in the middle of a bootstrap; the
 * connection dropped between a rejected upload and its compensating-write report. In each case
 * the client recovers by itself, and what it holds matches the server exactly.
 */
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompensatingWriteError } from "@atoll/client";
import { AtollServer } from "@atoll/server";
import {
  logIn,
  SyncTestClient,
  syncUrl,
} from "../packages/server/src/sync/test-support/SyncTestClient.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultProxy } from "./support/faults/proxy.js";
import { startServerProcess } from "./support/faults/serverProcess.js";
import { writeSyncApp, type SyncAppDir } from "./support/faults/syncApp.js";
import {
  logInNewUser,
  openSyncedClient,
  serverTasks,
  snapshotRealm,
  tasksOf,
  type SyncedClient,
} from "./support/faults/syncedClients.js";

const WAIT_MS = 60_000;

let appDir: SyncAppDir;
let dir: string;
beforeAll(async () => {
  appDir = await writeSyncApp();
  dir = mkdtempSync(join(tmpdir(), "atoll-faults-"));
});
afterAll(async () => {
  await appDir?.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `client` holds more than `count` tasks. */
function holdsMoreThan(client: SyncedClient, count: number): Promise<void> {
  return new Promise((resolve) => {
    const tasks = client.realm.objects("Task");
    const check = (): void => {
      if (tasks.length <= count) return;
      tasks.removeListener(check);
      resolve();
    };
    tasks.addListener(check);
  });
}

describe("faults", () => {
  it(
    "lands every write exactly once when the server is killed mid-upload and restarted",
    { timeout: 120_000 },
    async () => {
      const storageFile = join(dir, "killed.sqlite");
      let server = await startServerProcess({ appDir: appDir.dir, storageFile });
      const clients: SyncedClient[] = [];
      try {
        const user = await logInNewUser(server.url, server.appId, join(dir, "killed-user"));
        const writer = await openSyncedClient({
          name: "writer",
          user,
          path: join(dir, "killed-writer.realm"),
          groups: ["k"],
        });
        clients.push(writer);
        const realm = writer.realm;
        realm.write(() => realm.create("Task", { _id: "tally", group: "k", points: 0, tags: [] }));
        await writer.settle(realm.syncSession!.uploadAllLocalChanges(WAIT_MS));
        const tally = tasksOf(realm).find((task) => task._id === "tally")!;
        const writeOne = (i: number): void =>
          realm.write(() => {
            realm.create("Task", { _id: `w${i}`, group: "k", points: 0, tags: [] });
            tally.points.increment(1);
            tally.tags.push(`w${i}`);
          });

        // A burst of commits, each its own changeset. Once a second device has received some of
        // them (the server is integrating the burst), the server dies.
        const observer = await openSyncedClient({
          name: "observer",
          user: await logInNewUser(server.url, server.appId, join(dir, "killed-observer")),
          path: join(dir, "killed-observer.realm"),
          groups: ["k"],
        });
        clients.push(observer);
        const integrating = holdsMoreThan(observer, 1);
        for (let i = 0; i < 200; i++) writeOne(i);
        await integrating;
        await server.kill();
        // Offline: writes keep committing locally.
        for (let i = 200; i < 300; i++) writeOne(i);
        server = await startServerProcess({ appDir: appDir.dir, storageFile, port: server.port });

        // The session reconnects by itself and uploads the rest.
        await writer.settle(realm.syncSession!.uploadAllLocalChanges(WAIT_MS));
        await writer.settle(realm.syncSession!.downloadAllServerChanges(WAIT_MS));
        expect(writer.errors).toEqual([]);

        // A new device sees every write exactly once: 300 additions, 300 list inserts.
        const reader = await openSyncedClient({
          name: "reader",
          user: await logInNewUser(server.url, server.appId, join(dir, "killed-reader")),
          path: join(dir, "killed-reader.realm"),
          groups: ["k"],
        });
        clients.push(reader);
        const seen = snapshotRealm(reader.realm);
        expect(seen).toHaveLength(301);
        const tallySeen = seen.find((task) => task._id === "tally")!;
        expect(tallySeen.points).toBe(300);
        expect([...tallySeen.tags].sort()).toEqual(
          Array.from({ length: 300 }, (_, i) => `w${i}`).sort(),
        );
        expect(snapshotRealm(realm)).toEqual(seen);
      } finally {
        for (const client of clients) client.close();
        await server.stop();
      }
    },
  );

  describe("behind a proxy that drops connections", () => {
    let server: AtollServer;
    let proxy: FaultProxy;
    beforeAll(async () => {
      server = await AtollServer.start({
        appDir: appDir.dir,
        port: 0,
        storage: `sqlite:${join(dir, "proxied.sqlite")}`,
        logLevel: "silent",
        // Many small bootstrap messages, so that a cut can fall between them.
        sync: { bootstrapBatchSize: 50 },
      });
      proxy = await FaultProxy.start(server.url);
    });
    afterAll(async () => {
      await proxy?.close();
      await server?.close();
    });

    it("keeps serving when clients reset their connection in the middle of the upgrade", async () => {
      const { accessToken } = await logIn(server.url, server.appId);
      const { port } = new URL(server.url);
      const request = [
        `GET /api/client/v2.0/app/${server.appId}/realm-sync HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Protocol: atoll-sync#1",
        `Authorization: Bearer ${accessToken}`,
        "",
        "",
      ].join("\r\n");
      // The reset reaches the server while it checks the token, before the WebSocket exists.
      for (let i = 0; i < 20; i++) {
        await new Promise<void>((resolve) => {
          const socket = net.connect(Number(port), "127.0.0.1", () => {
            socket.write(request);
            setTimeout(() => socket.resetAndDestroy(), i % 4);
          });
          socket.on("close", () => resolve());
          socket.on("error", () => undefined);
        });
      }
      const client = await SyncTestClient.connect(syncUrl(server.url, server.appId), accessToken);
      expect((await client.bind()).ident).toBeGreaterThan(0);
      await client.close();
    });

    it("completes a subscription whose bootstrap was cut, holding exactly the view", async () => {
      const tasks = Array.from({ length: 2000 }, (_, i) => ({
        _id: `big-${String(i).padStart(4, "0")}`,
        group: i % 2 === 0 ? "big" : "other",
        title: `task ${i} ${"x".repeat(40)}`,
        points: 0,
        tags: [`t${i}`],
      }));
      await server.data.system().db("cars-db").collection("Task").insertMany(tasks);
      const user = await logInNewUser(proxy.url, server.appId, join(dir, "bootstrap-user"));
      const opened = proxy.webSocketsOpened;
      // About a third of the way into the bootstrap of 1000 tasks.
      const cut = proxy.cutAfterServerBytes(30_000);
      const client = await openSyncedClient({
        name: "bootstrapping",
        user,
        path: join(dir, "bootstrap.realm"),
        groups: ["big"],
      });
      try {
        await cut;
        expect(proxy.webSocketsOpened - opened).toBeGreaterThanOrEqual(2);
        expect(client.realm.subscriptions.state).toBe("complete");
        const held = snapshotRealm(client.realm);
        expect(held).toHaveLength(1000);
        expect(held).toEqual(await serverTasks(server, ["big"]));
        expect(client.errors).toEqual([]);
      } finally {
        client.close();
      }
    });

    it("reports a compensating write even when the connection drops before the report", async () => {
      const user = await logInNewUser(proxy.url, server.appId, join(dir, "rejected-user"));
      const client = await openSyncedClient({
        name: "narrow",
        user,
        path: join(dir, "rejected.realm"),
        groups: ["mine"],
      });
      try {
        const opened = proxy.webSocketsOpened;
        // The first bytes the server sends after the write (its report) never arrive.
        const cut = proxy.cutAfterServerBytes(0);
        client.realm.write(() =>
          client.realm.create("Task", { _id: "elsewhere", group: "theirs", points: 0, tags: [] }),
        );
        await cut;
        await client.settle(client.realm.syncSession!.uploadAllLocalChanges(WAIT_MS));
        await client.settle(client.realm.syncSession!.downloadAllServerChanges(WAIT_MS));
        expect(proxy.webSocketsOpened - opened).toBeGreaterThanOrEqual(1);
        expect(client.errors).toHaveLength(1);
        const [error] = client.errors;
        expect(error).toBeInstanceOf(CompensatingWriteError);
        expect((error as CompensatingWriteError).writes).toEqual([
          {
            objectName: "Task",
            primaryKey: "elsewhere",
            reason:
              'write to "elsewhere" in table "Task" not allowed; object is outside of the current query view',
          },
        ]);
        expect(snapshotRealm(client.realm)).toEqual([]);
      } finally {
        client.close();
      }
    });
  });
});

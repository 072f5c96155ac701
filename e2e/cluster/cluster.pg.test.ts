/**
 * Three `atoll serve` processes on one PostgreSQL schema, each device behind its own TCP proxy
 * so the test chooses the node it talks to (and moves it, as a load balancer would, when its
 * node dies or drains). Writes accepted by any node (device, data API) reach devices on the
 * others; a compensating write is reported the same; a node SIGKILLed in the middle of uploads
 * loses nothing acknowledged and doubles nothing; a restarted node serves bootstraps; random
 * concurrent edits through different nodes converge; SIGTERM drains a node without a device
 * noticing more than a reconnect; each process answers health, readiness and metrics.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { CompensatingWriteError, type User } from "@atoll/client";
import { AtollServer } from "@atoll/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresSchemas } from "../../packages/server/src/storage/test-support/postgresSchemas.js";
import { fuzzParameters } from "../../packages/protocol/src/test-support/fuzzParameters.js";
import { commandArbitrary, ConvergenceRun } from "../support/faults/convergenceRun.js";
import { FaultProxy } from "../support/faults/proxy.js";
import { startServerProcess, type ServerProcess } from "../support/faults/serverProcess.js";
import { writeSyncApp, type SyncAppDir } from "../support/faults/syncApp.js";
import {
  logInNewUser,
  openSyncedClient,
  serverTasks,
  snapshotRealm,
  tasksOf,
  type SyncedClient,
} from "../support/faults/syncedClients.js";

const WAIT_MS = 60_000;
const schemas = new PostgresSchemas();
let spec: string;
let appDir: SyncAppDir;
let dir: string;
const nodes: ServerProcess[] = [];
/** An in-process server on the same schema, used only to read what storage holds. */
let inspector: AtollServer;
const proxies: FaultProxy[] = [];
const clients: SyncedClient[] = [];

function nodeUrl(i: number): string {
  const found = nodes[i];
  if (found === undefined) throw new Error(`no node ${i}`);
  return found.url;
}

function startNode(port = 0): Promise<ServerProcess> {
  return startServerProcess({
    appDir: appDir.dir,
    storage: spec,
    port,
    args: ["--drain-timeout", "10000"],
  });
}

/** A proxy for one device, forwarding to node `i` until retargeted. */
async function proxyTo(i: number): Promise<FaultProxy> {
  const proxy = await FaultProxy.start(nodeUrl(i));
  proxies.push(proxy);
  return proxy;
}

/** A new user and synced device on `groups`, talking to node `i` through its own proxy. */
async function deviceOn(
  i: number,
  name: string,
  groups: readonly string[],
): Promise<{ device: SyncedClient; proxy: FaultProxy; user: User }> {
  const proxy = await proxyTo(i);
  const user = await logInNewUser(proxy.url, nodes[i]!.appId, join(dir, `${name}-user`));
  const device = await openSyncedClient({ name, user, path: join(dir, `${name}.realm`), groups });
  clients.push(device);
  return { device, proxy, user };
}

/** Resolves once `device` holds a task satisfying `test`. */
function holds(
  device: SyncedClient,
  test: (tasks: ReturnType<typeof snapshotRealm>) => boolean,
): Promise<void> {
  return device.settle(
    new Promise<void>((resolve) => {
      const tasks = device.realm.objects("Task");
      const check = (): void => {
        if (!test(snapshotRealm(device.realm))) return;
        tasks.removeListener(check);
        resolve();
      };
      tasks.addListener(check);
      check();
    }),
  );
}

beforeAll(async () => {
  spec = schemas.spec("cluster");
  appDir = await writeSyncApp();
  dir = mkdtempSync(join(tmpdir(), "atoll-cluster-"));
  // The first node creates the schema; the others join it.
  nodes.push(await startNode());
  nodes.push(...(await Promise.all([startNode(), startNode()])));
  inspector = await AtollServer.start({
    appDir: appDir.dir,
    port: 0,
    storage: spec,
    logLevel: "silent",
  });
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  for (const proxy of proxies) await proxy.close();
  await Promise.all(nodes.map((node) => node.stop()));
  await inspector?.close();
  await schemas.dropAll();
  await appDir?.remove();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("three nodes on one PostgreSQL database", () => {
  it("carries a device's writes to devices on the other nodes", { timeout: 60_000 }, async () => {
    const [a, b, c] = await Promise.all(
      [0, 1, 2].map((i) => deviceOn(i, `spread-${i}`, ["spread"])),
    );
    a!.device.realm.write(() =>
      a!.device.realm.create("Task", {
        _id: "s1",
        group: "spread",
        title: "from A",
        points: 0,
        tags: [],
      }),
    );
    await holds(b!.device, (tasks) => tasks.some((t) => t._id === "s1" && t.title === "from A"));
    await holds(c!.device, (tasks) => tasks.some((t) => t._id === "s1"));
    const [onB] = tasksOf(b!.device.realm);
    b!.device.realm.write(() => (onB!.title = "from B"));
    await holds(a!.device, (tasks) => tasks.some((t) => t._id === "s1" && t.title === "from B"));
    await holds(c!.device, (tasks) => tasks.some((t) => t._id === "s1" && t.title === "from B"));
  });

  it(
    "carries a data-API write on one node to a device on another",
    { timeout: 60_000 },
    async () => {
      const { device, user } = await deviceOn(1, "api-reader", ["api"]);
      const response = await fetch(
        `${nodeUrl(0)}/api/client/v2.0/app/${nodes[0]!.appId}/functions/call`,
        {
          method: "POST",
          headers: {
            Authorization: `Bearer ${user.accessToken}`,
            "Content-Type": "application/json",
          },
          body: JSON.stringify({
            service: "mongodb-atlas",
            name: "insertOne",
            arguments: [
              {
                database: "cars-db",
                collection: "Task",
                document: {
                  _id: "api-1",
                  group: "api",
                  title: "by API",
                  points: { $numberLong: "4" },
                },
              },
            ],
          }),
        },
      );
      expect(response.status).toBe(200);
      await holds(device, (tasks) => tasks.some((t) => t._id === "api-1" && t.points === 4));
    },
  );

  it("reports a compensating write through any node", { timeout: 60_000 }, async () => {
    const { device } = await deviceOn(2, "outsider", ["cw-mine"]);
    const { device: other } = await deviceOn(0, "cw-watcher", ["cw-other"]);
    const reported = new Promise<CompensatingWriteError>((resolve) => {
      const check = setInterval(() => {
        const found = device.errors.find((e) => e instanceof CompensatingWriteError);
        if (found) {
          clearInterval(check);
          resolve(found);
        }
      }, 20);
    });
    device.realm.write(() =>
      device.realm.create("Task", { _id: "cw-1", group: "cw-other", points: 0, tags: [] }),
    );
    const error = await reported;
    expect(error.writes.map((w) => String(w.primaryKey))).toEqual(["cw-1"]);
    await device.settle(device.realm.syncSession!.downloadAllServerChanges(WAIT_MS));
    expect(snapshotRealm(device.realm)).toEqual([]);
    await other.settle(other.realm.syncSession!.downloadAllServerChanges(WAIT_MS));
    expect(snapshotRealm(other.realm)).toEqual([]);
  });

  it(
    "loses and doubles nothing acknowledged when a node is SIGKILLed mid-upload, and a restarted node bootstraps",
    { timeout: 180_000 },
    async () => {
      const { device: writer, proxy } = await deviceOn(0, "killed-writer", ["k"]);
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
      const { device: observer } = await deviceOn(1, "killed-observer", ["k"]);
      const integrating = holds(observer, (tasks) => tasks.length > 1);
      for (let i = 0; i < 200; i++) writeOne(i);
      await integrating;
      // The load balancer sends the writer's reconnections to node 2 from now on.
      proxy.retarget(nodeUrl(2));
      await nodes[0]!.kill();
      for (let i = 200; i < 300; i++) writeOne(i);
      await writer.settle(realm.syncSession!.uploadAllLocalChanges(WAIT_MS));
      await writer.settle(realm.syncSession!.downloadAllServerChanges(WAIT_MS));
      expect(writer.errors).toEqual([]);

      const expectAll = (seen: ReturnType<typeof snapshotRealm>): void => {
        expect(seen).toHaveLength(301);
        const tallySeen = seen.find((task) => task._id === "tally")!;
        expect(tallySeen.points).toBe(300);
        expect([...tallySeen.tags].sort()).toEqual(
          Array.from({ length: 300 }, (_, i) => `w${i}`).sort(),
        );
      };
      expectAll(await serverTasks(inspector, ["k"]));
      await observer.settle(observer.realm.syncSession!.downloadAllServerChanges(WAIT_MS));
      expectAll(snapshotRealm(observer.realm));
      expect(snapshotRealm(observer.realm)).toEqual(snapshotRealm(realm));

      nodes[0] = await startNode();
      const { device: reader } = await deviceOn(0, "restarted-reader", ["k"]);
      expectAll(snapshotRealm(reader.realm));
    },
  );

  it(
    "converges under random concurrent edits through different nodes",
    { timeout: 240_000 },
    async () => {
      const cut = { cutWebSockets: () => proxies.forEach((p) => p.cutWebSockets()) };
      const runProxies = await Promise.all([0, 1, 2].map((i) => proxyTo(i)));
      const users = await Promise.all(
        runProxies.map((p, i) => logInNewUser(p.url, nodes[i]!.appId, join(dir, `conv-user-${i}`))),
      );
      let runNumber = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(commandArbitrary, { minLength: 10, maxLength: 30 }),
          async (commands) => {
            const run = await ConvergenceRun.open({
              number: ++runNumber,
              dir: join(dir, `conv-${runNumber}`),
              users,
              proxy: cut,
              views: [["a", "b"], ["a", "b"], ["a"]],
            });
            try {
              for (const command of commands) await run.execute(command);
              await run.quiesce();
              for (const client of run.clients)
                expect(run.snapshot(client), client.name).toEqual(
                  await run.serverView(inspector, client.groups),
                );
              expect(
                run.ledger.violations(
                  await run.serverView(inspector, ["a", "b"]),
                  run.compensated(),
                ),
              ).toEqual([]);
            } finally {
              run.close();
            }
          },
        ),
        fuzzParameters(3),
      );
    },
  );

  it(
    "drains on SIGTERM: devices reconnect elsewhere and go on syncing",
    { timeout: 90_000 },
    async () => {
      const { device, proxy } = await deviceOn(2, "drained", ["drain"]);
      const { device: watcher } = await deviceOn(1, "drain-watcher", ["drain"]);
      const metrics = await (await fetch(`${nodeUrl(2)}/metrics`)).text();
      expect(metrics).toMatch(/^atoll_sync_connections [1-9]/m);
      expect((await fetch(`${nodeUrl(2)}/healthz`)).status).toBe(200);
      expect((await fetch(`${nodeUrl(2)}/readyz`)).status).toBe(200);

      proxy.retarget(nodeUrl(1));
      const draining = nodes[2]!;
      await draining.stop();
      expect(await draining.exited).toBe(0);
      device.realm.write(() =>
        device.realm.create("Task", { _id: "after-drain", group: "drain", points: 0, tags: [] }),
      );
      await holds(watcher, (tasks) => tasks.some((t) => t._id === "after-drain"));
      expect(device.errors.filter((e) => e.isFatal)).toEqual([]);
      nodes[2] = await startNode();
    },
  );
});

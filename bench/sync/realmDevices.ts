/**
 * Native Realm devices (realm-core 14.14, run as the realm-flx program, one process each)
 * beside `@atoll/client` devices, against the same server process (SQLite) in the same run:
 *
 * - latency: a write on device A until device B sees it. Atoll devices: B's object listener
 *   fires (as in latency.ts). realm-core devices: B is asked for the object (a `query`
 *   command, which refreshes its realm) about once a millisecond until it has the new value,
 *   so the figure includes up to a millisecond and one query round trip with the program;
 *   that round trip alone is printed as well.
 * - bootstrap: a new device subscribing to `objects` tasks, from opening the realm to the
 *   subscription being complete with every object in the file.
 * - ingest: asymmetric `SensorReading`s written in transactions of `batch` and uploaded until
 *   the server has acknowledged them all, objects per second.
 *
 *   npx tsx --conditions=@atoll/source bench/sync/realmDevices.ts [rounds=100] [objects=100000] [ingest=20000] [batch=1000]
 */
import path from "node:path";
import { Realm } from "@atoll/client";
import { AtollServer } from "@atoll/server";
import { ObjectId } from "bson";
import { SensorReadingSchema } from "../../e2e/support/carModel.js";
import { TaskSchema } from "../../e2e/support/faults/syncApp.js";
import { openSyncedClient } from "../../e2e/support/faults/syncedClients.js";
import { RealmFlxDevice } from "../../packages/server/src/sync/realm/test-support/RealmFlxDevice.js";
import { fmt, openLatencyProbe, percentile, startSyncBench } from "./support.js";

const ROUNDS = Number(process.argv[2] ?? 100);
const OBJECTS = Number(process.argv[3] ?? 100_000);
const INGEST = Number(process.argv[4] ?? 20_000);
const BATCH = Number(process.argv[5] ?? 1000);

const NATIVE_TASK = {
  name: "Task",
  primaryKey: "_id",
  properties: { _id: "string", group: "string", title: "string?", points: "int", tags: "string[]" },
};
const NATIVE_READING = {
  name: "SensorReading",
  asymmetric: true,
  primaryKey: "_id",
  properties: {
    _id: "objectId",
    ownerId: "string",
    carId: "objectId",
    timestamp: "date",
    value: "double",
  },
};
const TIMEOUT = 30 * 60 * 1000;

const line = (name: string, values: number[]) =>
  `${name.padEnd(52)} p50 ${fmt(percentile(values, 50), 2)} ms  p99 ${fmt(percentile(values, 99), 2)} ms`;

// Seed the bootstrap tasks in this process (as writes from elsewhere) before the server starts.
const seedBench = await startSyncBench();
const { app, storageFile } = seedBench;
await seedBench.server.stop();
const seeder = await AtollServer.start({
  appDir: app.dir,
  port: 0,
  storage: `sqlite:${storageFile}`,
  logLevel: "silent",
});
const tasks = seeder.data.system().db("cars-db").collection("Task");
for (let start = 0; start < OBJECTS; start += 10_000) {
  await tasks.insertMany(
    Array.from({ length: Math.min(10_000, OBJECTS - start) }, (_, k) => ({
      _id: `boot-${start + k}`,
      group: "boot",
      title: `task ${start + k}`,
      points: 0,
      tags: ["a", "b"],
    })),
  );
}
await seeder.close();

const bench = await startSyncBench({ app, storageFile });
const natives: RealmFlxDevice[] = [];
const native = async (name: string, group: string): Promise<RealmFlxDevice> => {
  const device = await RealmFlxDevice.start(name, bench.server.url, bench.server.appId);
  natives.push(device);
  await device.command({ cmd: "login", provider: "anonymous" });
  await device.command({
    cmd: "open",
    path: `${group}.realm`,
    schema: [NATIVE_TASK, NATIVE_READING],
    subscriptions: [{ name: group, class: "Task", query: `group == "${group}"` }],
    timeout: TIMEOUT,
  });
  return device;
};

try {
  // ---- latency
  console.log(`-- write on A -> seen on B, ${ROUNDS} rounds each`);
  const probe = await openLatencyProbe(bench, "latency");
  const atollTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    await probe.writeAndWait();
    atollTimes.push(performance.now() - start);
  }
  probe.close();
  console.log(line("@atoll/client A -> listener on @atoll/client B", atollTimes));

  const a = await native("latency-a", "native-latency");
  const b = await native("latency-b", "native-latency");
  const _id = "native-latency-probe";
  await a.command({
    cmd: "write",
    ops: [
      { op: "create", class: "Task", value: { _id, group: "native-latency", points: 0, tags: [] } },
    ],
  });
  await a.command({ cmd: "upload" });
  await b.command({ cmd: "download" });
  const nativeTimes: number[] = [];
  const queryTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const title = `v${round}`;
    const start = performance.now();
    await a.command({
      cmd: "write",
      ops: [{ op: "set", class: "Task", pk: _id, field: "title", value: title }],
    });
    for (;;) {
      // Asked about once a millisecond: a tighter loop takes the CPU the devices need.
      await new Promise((resolve) => setTimeout(resolve, 1));
      const asked = performance.now();
      const { count } = await b.command({
        cmd: "query",
        class: "Task",
        filter: `_id == "${_id}" AND title == "${title}"`,
      });
      queryTimes.push(performance.now() - asked);
      if (count === 1) break;
    }
    nativeTimes.push(performance.now() - start);
  }
  console.log(line("realm-core A -> seen by realm-core B (polled)", nativeTimes));
  console.log(line("  one query round trip with realm-flx (resolution)", queryTimes));

  // ---- bootstrap
  console.log(`-- bootstrap of ${OBJECTS} tasks on a new device`);
  {
    const user = await bench.newUser();
    const start = performance.now();
    const client = await openSyncedClient({
      name: "boot",
      user,
      path: path.join(bench.dir, "boot.realm"),
      groups: ["boot"],
    });
    await client.realm.subscriptions.waitForSynchronization();
    const ms = performance.now() - start;
    const count = client.realm.objects("Task").length;
    client.close();
    console.log(`${"@atoll/client".padEnd(52)} ${fmt(ms / 1000, 2)} s  (${count} objects)`);
  }
  {
    const start = performance.now();
    const device = await native("boot", "boot");
    const ms = performance.now() - start;
    const { count } = await device.command({ cmd: "query", class: "Task" });
    console.log(
      `${"realm-core (realm-flx, login excluded)".padEnd(52)} ${fmt(ms / 1000, 2)} s  (${String(count)} objects)`,
    );
  }

  // ---- ingest
  console.log(`-- ingest of ${INGEST} readings, transactions of ${BATCH}`);
  const carId = new ObjectId();
  {
    const user = await bench.newUser();
    const realm = await Realm.open({
      schema: [TaskSchema, SensorReadingSchema],
      path: path.join(bench.dir, "ingest.realm"),
      sync: { user, flexible: true },
    });
    const start = performance.now();
    for (let from = 0; from < INGEST; from += BATCH) {
      await new Promise((resolve) => setImmediate(resolve));
      realm.write(() => {
        for (let i = from; i < Math.min(INGEST, from + BATCH); i++)
          realm.create("SensorReading", {
            _id: new ObjectId(),
            ownerId: user.id,
            carId,
            timestamp: new Date(1_800_000_000_000 + i * 1000),
            value: i * 0.5,
          });
      });
    }
    await realm.syncSession!.uploadAllLocalChanges();
    const rate = INGEST / ((performance.now() - start) / 1000);
    realm.close();
    console.log(`${"@atoll/client".padEnd(52)} ${fmt(rate, 0)} objects/s`);
  }
  {
    const device = await native("ingest", "ingest");
    const start = performance.now();
    for (let from = 0; from < INGEST; from += BATCH) {
      const ops = [];
      for (let i = from; i < Math.min(INGEST, from + BATCH); i++)
        ops.push({
          op: "ingest",
          class: "SensorReading",
          value: {
            _id: { $oid: new ObjectId().toHexString() },
            ownerId: "native",
            carId: { $oid: carId.toHexString() },
            timestamp: { $date: { $numberLong: String(1_800_000_000_000 + i * 1000) } },
            value: i * 0.5,
          },
        });
      await device.command({ cmd: "write", ops });
    }
    await device.command({ cmd: "upload", timeout: TIMEOUT });
    const rate = INGEST / ((performance.now() - start) / 1000);
    console.log(`${"realm-core (realm-flx)".padEnd(52)} ${fmt(rate, 0)} objects/s`);
  }
} finally {
  await Promise.all(natives.map((device) => device.quit()));
  await bench.close();
}

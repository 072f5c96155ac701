/**
 * Data ingest end to end: asymmetric `SensorReading`s written on a device (transactions of
 * `batch`), uploaded, inserted into the backend collection and acknowledged (the device then
 * drops them from its upload log); objects per second from the first write to
 * `uploadAllLocalChanges`. Server in its own process. Two kinds of device:
 * - streaming: the device writes each transaction in its own turn of the event loop, as an
 *   app does when readings arrive, so its uploads go out while it goes on writing;
 * - burst: the device writes every transaction in one synchronous run, so nothing is uploaded
 *   before the last one commits and device and server work one after the other.
 * The first run (a streaming device) meets a server and a device that have just started, and
 * is reported apart as the cold figure: much of it is the JavaScript engine compiling the code
 * it runs. A server runs for days and an app for hours, so the sustained figures are those of
 * the warm runs that follow, each kind `rounds` times (median), every run with a new device
 * and user.
 * Baseline: inserting the same documents into the same kind of store directly (`insertMany`
 * through the data layer, in-process, batches of the same size), also warmed by a first pass.
 * With `--storage postgres://…` everything is measured on SQLite and again on PostgreSQL.
 *
 *   npx tsx --conditions=@atoll/source bench/sync/ingest.ts [objects=20000] [batch=1000] [rounds=3] [--storage postgres://…]
 */
import { tmpdir } from "node:os";
import path from "node:path";
import { Realm } from "@atoll/client";
import { AtollServer } from "@atoll/server";
import { ObjectId } from "bson";
import { SensorReadingSchema } from "../../e2e/support/carModel.js";
import { TaskSchema } from "../../e2e/support/faults/syncApp.js";
import { benchCommandLine, type BenchEngine } from "../storageOption.js";
import { fmt, median, startSyncBench } from "./support.js";

const { args, engines } = benchCommandLine();
const OBJECTS = Number(args[0] ?? 20_000);
const BATCH = Number(args[1] ?? 1000);
const ROUNDS = Number(args[2] ?? 3);

const reading = (ownerId: string, carId: ObjectId, i: number) => ({
  _id: new ObjectId(),
  ownerId,
  carId,
  timestamp: new Date(1_800_000_000_000 + i * 1000),
  value: i * 0.5,
});

console.log(
  `${OBJECTS} SensorReadings in transactions of ${BATCH}; warm figures: median of ${ROUNDS} runs`,
);
for (const engine of engines) await measure(engine);

async function measure(engine: BenchEngine): Promise<void> {
  const store = engine.fresh(tmpdir());
  const directStore = engine.fresh(tmpdir());
  const bench = await startSyncBench({ storage: store.spec });
  try {
    // Baseline: the store inserting the same documents, no sync in the way.
    const direct = await AtollServer.start({
      appDir: bench.app.dir,
      port: 0,
      storage: directStore.spec,
      logLevel: "silent",
    });
    const collection = direct.data.system().db("cars-db").collection("SensorReading");
    const carId = new ObjectId();
    const insertAll = async (): Promise<number> => {
      const start = performance.now();
      for (let from = 0; from < OBJECTS; from += BATCH)
        await collection.insertMany(
          Array.from({ length: Math.min(BATCH, OBJECTS - from) }, (_, k) =>
            reading("owner", carId, from + k),
          ),
        );
      return OBJECTS / ((performance.now() - start) / 1000);
    };
    await insertAll(); // warm-up
    const directRate = await insertAll();
    await direct.close();

    const ingest = async (name: string, streaming: boolean): Promise<number> => {
      const user = await bench.newUser();
      const realm = await Realm.open({
        schema: [TaskSchema, SensorReadingSchema],
        path: path.join(bench.dir, `${name}.realm`),
        sync: { user, flexible: true },
      });
      const began = performance.now();
      for (let from = 0; from < OBJECTS; from += BATCH) {
        if (streaming) await new Promise((resolve) => setImmediate(resolve));
        realm.write(() => {
          for (let i = from; i < Math.min(OBJECTS, from + BATCH); i++)
            realm.create("SensorReading", reading(user.id, carId, i));
        });
      }
      await realm.syncSession!.uploadAllLocalChanges();
      const rate = OBJECTS / ((performance.now() - began) / 1000);
      realm.close();
      return rate;
    };
    let runs = 0;
    const coldRate = await ingest(`device-${++runs}`, true);
    const streamingRates: number[] = [];
    const burstRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      streamingRates.push(await ingest(`device-${++runs}`, true));
      burstRates.push(await ingest(`device-${++runs}`, false));
    }

    console.log(`-- ${engine.name}`);
    const line = (label: string, rate: number, compare = true): void =>
      console.log(
        `${label.padEnd(56)} ${fmt(rate, 0).padStart(8)} objects/s${compare ? `  (${fmt(rate / directRate, 2)}x the store's rate)` : ""}`,
      );
    line("store insertMany, same documents (baseline, warm)", directRate, false);
    line("streaming device, cold (first run after server start)", coldRate);
    line("streaming device -> server insert -> acknowledged", median(streamingRates));
    line("burst device -> server insert -> acknowledged", median(burstRates));
  } finally {
    await bench.close();
    await store.drop();
    await directStore.drop();
  }
}

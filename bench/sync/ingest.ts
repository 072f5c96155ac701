/**
 * Data ingest end to end: asymmetric `SensorReading`s written on a device (transactions of
 * `batch`), uploaded, inserted into the backend collection and acknowledged (the device then
 * deletes its copies); objects per second from the first write to `uploadAllLocalChanges`.
 * Server in its own process. Two devices, one after the other:
 * - streaming: the device writes each transaction in its own turn of the event loop, as an
 *   app does when readings arrive, so its uploads go out while it goes on writing;
 * - burst: the device writes every transaction in one synchronous run, so nothing is uploaded
 *   before the last one commits and device and server work one after the other.
 * Baseline: inserting the same documents into the same kind of store directly (`insertMany`
 * through the data layer, in-process, batches of the same size).
 *
 *   npx tsx --conditions=source bench/sync/ingest.ts [objects=20000] [batch=1000]
 */
import path from "node:path";
import { Realm } from "@atoll/client";
import { AtollServer } from "@atoll/server";
import { ObjectId } from "bson";
import { SensorReadingSchema } from "../../e2e/support/carModel.js";
import { TaskSchema } from "../../e2e/support/faults/syncApp.js";
import { fmt, startSyncBench } from "./support.js";

const OBJECTS = Number(process.argv[2] ?? 20_000);
const BATCH = Number(process.argv[3] ?? 1000);

const reading = (ownerId: string, carId: ObjectId, i: number) => ({
  _id: new ObjectId(),
  ownerId,
  carId,
  timestamp: new Date(1_800_000_000_000 + i * 1000),
  value: i * 0.5,
});

const bench = await startSyncBench();
try {
  // Baseline: the store inserting the same documents, no sync in the way.
  const direct = await AtollServer.start({
    appDir: bench.app.dir,
    port: 0,
    storage: `sqlite:${path.join(bench.dir, "direct.sqlite")}`,
    logLevel: "silent",
  });
  const collection = direct.data.system().db("cars-db").collection("SensorReading");
  const carId = new ObjectId();
  const start = performance.now();
  for (let from = 0; from < OBJECTS; from += BATCH)
    await collection.insertMany(
      Array.from({ length: Math.min(BATCH, OBJECTS - from) }, (_, k) =>
        reading("owner", carId, from + k),
      ),
    );
  const directRate = OBJECTS / ((performance.now() - start) / 1000);
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
  const streamingRate = await ingest("streaming", true);
  const burstRate = await ingest("burst", false);

  console.log(`${OBJECTS} SensorReadings in transactions of ${BATCH}`);
  console.log(
    `${"store insertMany, same documents (baseline)".padEnd(52)} ${fmt(directRate, 0).padStart(8)} objects/s`,
  );
  for (const [label, rate] of [
    ["streaming device -> server insert -> acknowledged", streamingRate],
    ["burst device -> server insert -> acknowledged", burstRate],
  ] as const)
    console.log(
      `${label.padEnd(52)} ${fmt(rate, 0).padStart(8)} objects/s  (${fmt(directRate / rate)}x slower than the store)`,
    );
} finally {
  await bench.close();
}

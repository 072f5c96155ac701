/**
 * Bulk writes through the data layer into a synced collection, sustained: `insertMany` of
 * `Car` documents in batches as the system user, on SQLite (WAL, synchronous=FULL), timed
 * until sync history holds every one of them (what devices will download). Beside it, measured
 * in the same run on a fresh file: raw better-sqlite3 inserting the same documents as JSON rows,
 * one transaction per batch.
 *
 *   npx tsx --conditions=@atoll/source bench/server/bulkInsert.ts [documents=100000] [batch=10000]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { ObjectId } from "bson";
import { fmt, median, serveCars } from "./support.js";

const DOCUMENTS = Number(process.argv[2] ?? 100_000);
const BATCH = Number(process.argv[3] ?? 10_000);
const RUNS = 3;

const cars = () =>
  Array.from({ length: DOCUMENTS }, (_, i) => ({
    _id: new ObjectId(),
    ownerId: `owner-${i % 100}`,
    make: ["Toyota", "Honda", "Ford"][i % 3] ?? "",
    model: `model ${i % 37}`,
    miles: (i * 7919) % 200_000,
  }));

/** Documents per second, each batch's rate (first to last), and CPU per document (µs, process-wide). */
interface Rate {
  readonly total: number;
  readonly batches: readonly number[];
  readonly cpuPerDoc: number;
}

const cpuSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / DOCUMENTS;
};

const timeDataLayer = async (): Promise<Rate> => {
  const app = await serveCars();
  try {
    const collection = app.server.data.system().db("cars-db").collection("Car");
    const docs = cars();
    const batches: number[] = [];
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let from = 0; from < docs.length; from += BATCH) {
      const batchStart = performance.now();
      await collection.insertMany(docs.slice(from, from + BATCH));
      batches.push(BATCH / ((performance.now() - batchStart) / 1000));
    }
    await app.server.sync!.externalWritesRecorded();
    const total = DOCUMENTS / ((performance.now() - start) / 1000);
    const cpuPerDoc = cpuSince(cpu);
    const recorded = await app.server.sync!.history.latestVersion();
    if (recorded !== DOCUMENTS) throw new Error(`history holds ${recorded} of ${DOCUMENTS}`);
    return { total, batches, cpuPerDoc };
  } finally {
    await app.close();
  }
};

const timeRaw = async (): Promise<Rate> => {
  const dir = await mkdtemp(path.join(tmpdir(), "atoll-bench-bulk-"));
  const db = new Database(path.join(dir, "raw.db"));
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec("CREATE TABLE cars (id TEXT PRIMARY KEY, doc TEXT NOT NULL)");
    const insert = db.prepare("INSERT INTO cars (id, doc) VALUES (?, ?)");
    const docs = cars();
    const batches: number[] = [];
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let from = 0; from < docs.length; from += BATCH) {
      const batchStart = performance.now();
      db.transaction(() => {
        for (const doc of docs.slice(from, from + BATCH))
          insert.run(doc._id.toHexString(), JSON.stringify({ ...doc, _id: doc._id.toHexString() }));
      })();
      batches.push(BATCH / ((performance.now() - batchStart) / 1000));
    }
    const total = DOCUMENTS / ((performance.now() - start) / 1000);
    return { total, batches, cpuPerDoc: cpuSince(cpu) };
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
};

const raw: Rate[] = [];
const layer: Rate[] = [];
// Interleaved so the load of a shared machine falls on both alike.
for (let run = 0; run < RUNS; run++) {
  raw.push(await timeRaw());
  layer.push(await timeDataLayer());
}
const line = (label: string, rates: readonly Rate[]) => {
  const total = median(rates.map((rate) => rate.total));
  const first = median(rates.map((rate) => rate.batches[0] ?? 0));
  const last = median(rates.map((rate) => rate.batches.at(-1) ?? 0));
  const cpu = median(rates.map((rate) => rate.cpuPerDoc));
  return `${label.padEnd(52)} ${fmt(total / 1000, 0).padStart(4)}k docs/s  (first batch ${fmt(first / 1000, 0)}k/s, last ${fmt(last / 1000, 0)}k/s; CPU ${fmt(cpu, 1)} µs/doc)`;
};
console.log(
  `${DOCUMENTS} Car documents in insertMany batches of ${BATCH} (WAL, synchronous=FULL), median of ${RUNS} runs`,
);
console.log(line("raw better-sqlite3, JSON rows", raw));
console.log(line("insertMany, until sync history holds them all", layer));

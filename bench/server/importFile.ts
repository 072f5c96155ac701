/**
 * `atoll import`'s work on a `mongoexport` file of `Car` documents (JSON lines, canonical
 * Extended JSON), on SQLite (WAL, synchronous=FULL): the same sources and importer as the
 * command (streaming, schema check, batches of 10 000 committed with the file's progress), with
 * the process's peak RSS. Beside it, measured in the same run: raw better-sqlite3 reading the
 * same file line by line, `JSON.parse` per line and one row per document in transactions of
 * 10 000. Then, as a server started on the imported store does, the imported documents are
 * recorded into sync history from the storage change feed (`ExternalChangeRecorder`).
 *
 *   npx tsx --conditions=@atoll/source bench/server/importFile.ts [documents=1000000]
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import { EJSON, ObjectId } from "bson";
import { loadAppConfig } from "../../packages/server/src/config/loadAppConfig.js";
import { openStorage } from "../../packages/server/src/storage/openStorage.js";
import { ExternalChangeRecorder } from "../../packages/server/src/sync/history/ExternalChangeRecorder.js";
import { SyncHistory } from "../../packages/server/src/sync/history/SyncHistory.js";
import { buildSyncModel } from "../../packages/server/src/sync/syncSchema.js";
import { DocumentImporter } from "../../packages/server/src/transfer/importDocuments.js";
import { importSources } from "../../packages/server/src/transfer/importSources.js";
import { CARS_APP_DIR, fmt } from "./support.js";

const DOCUMENTS = Number(process.argv[2] ?? 1_000_000);
const BATCH = 10_000;

const dir = await mkdtemp(path.join(tmpdir(), "atoll-bench-import-"));
const file = path.join(dir, "Car.json");

async function writeExport(): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < DOCUMENTS; i++) {
    const line = EJSON.stringify(
      {
        _id: new ObjectId(),
        ownerId: `owner-${i % 1000}`,
        make: "Toyota",
        model: `model ${i % 37}`,
        miles: i % 200_000,
      },
      { relaxed: false },
    );
    if (!out.write(`${line}\n`))
      await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

/** Documents per second: imported, and recorded into sync history afterwards. */
async function timeImport(): Promise<{ imported: number; recorded: number; importPeak: number }> {
  const config = await loadAppConfig(CARS_APP_DIR);
  const storage = await openStorage(`sqlite:${path.join(dir, "import.db")}`);
  const cars = config.dataSources.get("mongodb-atlas");
  const schema = cars?.collections.get("cars-db.Car")?.schema;
  const [source] = await importSources([file], {}, () => "cars-db");
  const start = performance.now();
  const outcome = await new DocumentImporter(storage, () => schema, {}, BATCH).importSource(
    source!,
  );
  const imported = DOCUMENTS / ((performance.now() - start) / 1000);
  const importPeak = peakRss;
  if (outcome.imported !== DOCUMENTS)
    throw new Error(`imported ${outcome.imported} of ${DOCUMENTS}`);
  const model = buildSyncModel(cars!.collections.values(), {
    database: config.sync.databaseName,
    asymmetricTables: config.sync.asymmetricTables,
  });
  const recordStart = performance.now();
  const recorder = new ExternalChangeRecorder(storage, model);
  while (!(await recorder.recordBatch()).done);
  const recorded = DOCUMENTS / ((performance.now() - recordStart) / 1000);
  const inHistory = await new SyncHistory(storage, model).latestVersion();
  await storage.close();
  if (inHistory !== DOCUMENTS) throw new Error(`history holds ${inHistory} of ${DOCUMENTS}`);
  return { imported, recorded, importPeak };
}

async function timeRaw(): Promise<number> {
  const db = new Database(path.join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec("CREATE TABLE cars (id TEXT PRIMARY KEY, doc TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO cars (id, doc) VALUES (?, ?)");
  const write = db.transaction((rows: [string, string][]) => {
    for (const [id, doc] of rows) insert.run(id, doc);
  });
  const start = performance.now();
  let rows: [string, string][] = [];
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Infinity,
  })) {
    const doc = JSON.parse(line) as { _id: { $oid: string } };
    rows.push([doc._id.$oid, line]);
    if (rows.length === BATCH) {
      write(rows);
      rows = [];
    }
  }
  write(rows);
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return DOCUMENTS / seconds;
}

try {
  await writeExport();
  const raw = await timeRaw();
  const rssBefore = process.memoryUsage().rss;
  peakRss = rssBefore;
  const { imported, recorded, importPeak } = await timeImport();
  console.log(
    `${DOCUMENTS} Car documents in a mongoexport file (JSON lines, canonical Extended JSON), one run each`,
  );
  console.log(
    `raw better-sqlite3, JSON.parse per line        ${fmt(raw / 1000, 0).padStart(4)}k docs/s`,
  );
  console.log(
    `atoll import (schema checked, resumable)       ${fmt(imported / 1000, 0).padStart(4)}k docs/s  (${fmt(raw / imported, 1)}× raw; RSS ${fmt(rssBefore / 2 ** 20, 0)} MB before, peak ${fmt(importPeak / 2 ** 20, 0)} MB)`,
  );
  console.log(
    `then recorded into sync history (server start)   ${fmt(recorded / 1000, 0).padStart(4)}k docs/s  (import and recording: ${fmt(1 / (1 / imported + 1 / recorded) / 1000, 0)}k docs/s)`,
  );
} finally {
  clearInterval(sampler);
  await rm(dir, { recursive: true, force: true });
}

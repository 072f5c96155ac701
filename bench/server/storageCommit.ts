/**
 * The SQLite engine's `commit` of insert batches (the server's side of data ingest):
 * `SensorReading`-like documents committed in batches into a WAL file with synchronous=FULL,
 * µs of the committing thread per object. Beside it, measured in the same run on fresh files:
 * - the engine's row-by-row writer (one INSERT per document and per change record, the
 *   reference the batched writer is tested against);
 * - raw better-sqlite3 doing what the row-by-row writer does with the text already encoded
 *   (same schema, one transaction per batch): the floor of writing row by row;
 * - with `--storage postgres://…`, PostgresStorage's `commit` of the same batches into a
 *   fresh schema of that database (synchronous_commit as the server has it).
 *
 *   npx tsx --conditions=@atoll/source bench/server/storageCommit.ts [objects=40000] [batch=1000] [--storage postgres://…]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { ObjectId } from "bson";
import {
  encodeDocument,
  idDocumentText,
  idKey,
} from "../../packages/server/src/storage/documentCodec.js";
import { openStorage } from "../../packages/server/src/storage/openStorage.js";
import { SqliteStorage } from "../../packages/server/src/storage/SqliteStorage.js";
import { migrate } from "../../packages/server/src/storage/sqliteMigrations.js";
import type { WriteOp } from "../../packages/server/src/storage/StorageEngine.js";
import { benchCommandLine } from "../storageOption.js";
import type { BenchEngine } from "../storageOption.js";
import { fmt, median } from "./support.js";

const { args, engines } = benchCommandLine();
const OBJECTS = Number(args[0] ?? 40_000);
const BATCH = Number(args[1] ?? 1000);
const others = engines.filter((engine) => engine.name !== "sqlite");
const RUNS = 5;
const ns = { db: "cars-db", coll: "SensorReading" };

type InsertOp = Extract<WriteOp, { kind: "insert" }>;

const readings = (): InsertOp[] => {
  const carId = new ObjectId();
  return Array.from({ length: OBJECTS }, (_, i) => ({
    kind: "insert",
    ns,
    doc: {
      _id: new ObjectId(),
      ownerId: "6543a1b2c3d4e5f6a7b8c9d0",
      carId,
      timestamp: new Date(1_800_000_000_000 + i * 1000),
      value: i * 0.5,
    },
  }));
};

const dir = await mkdtemp(path.join(tmpdir(), "atoll-bench-commit-"));
let files = 0;
const freshFile = () => path.join(dir, `${files++}.sqlite`);

interface Cost {
  /** Wall-clock µs per object (the committing thread waits for the disk, too). */
  readonly wall: number;
  /** µs of CPU per object, user and system, all of the process's threads. */
  readonly cpu: number;
}

const measure = (objects: number, run: () => void | Promise<void>): Promise<Cost> | Cost => {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const done = (): Cost => {
    const cpu = process.cpuUsage(cpuStart);
    return {
      wall: ((performance.now() - start) * 1000) / objects,
      cpu: (cpu.user + cpu.system) / objects,
    };
  };
  const running = run();
  return running instanceof Promise ? running.then(done) : done();
};

/** Commits every op in batches through `commit`. */
const timeEngine = async (rowByRow: boolean): Promise<Cost> => {
  const storage = new SqliteStorage(freshFile(), { rowByRow });
  const ops = readings();
  const cost = await measure(ops.length, async () => {
    for (let from = 0; from < ops.length; from += BATCH)
      await storage.commit(ops.slice(from, from + BATCH), { origin: "sync" });
  });
  await storage.close();
  return cost;
};

/** The same commits through the engine `engine` opens on a fresh store. */
const timeOther = async (engine: BenchEngine): Promise<Cost> => {
  const store = engine.fresh(dir);
  const storage = await openStorage(store.spec);
  const ops = readings();
  try {
    return await measure(ops.length, async () => {
      for (let from = 0; from < ops.length; from += BATCH)
        await storage.commit(ops.slice(from, from + BATCH), { origin: "sync" });
    });
  } finally {
    await storage.close();
    await store.drop();
  }
};

const timeRaw = async (): Promise<Cost> => {
  const db = new Database(freshFile());
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  migrate(db);
  const insertDocument = db.prepare(
    "INSERT INTO documents (db, coll, id_key, body, version) VALUES (?, ?, ?, ?, ?)",
  );
  const insertChange = db.prepare(
    `INSERT INTO changes (time, db, coll, op, document_key, full_document, update_description, before_document, origin)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const rows = readings().map(({ doc }) => {
    const key = idKey(doc._id);
    return { key, body: encodeDocument(doc), keyDocument: idDocumentText(key) };
  });
  let version = 0;
  const cost = await measure(rows.length, () => {
    for (let from = 0; from < rows.length; from += BATCH) {
      db.transaction(() => {
        const time = Date.now();
        for (const row of rows.slice(from, from + BATCH)) {
          insertDocument.run(ns.db, ns.coll, row.key, row.body, ++version);
          insertChange.run(
            time,
            ns.db,
            ns.coll,
            "insert",
            row.keyDocument,
            row.body,
            null,
            null,
            "sync",
          );
        }
      })();
    }
  });
  db.close();
  return cost;
};

try {
  const raw: Cost[] = [];
  const byRow: Cost[] = [];
  const batched: Cost[] = [];
  const other = others.map(() => [] as Cost[]);
  // Interleaved so the load of a shared machine falls on all alike.
  for (let run = 0; run < RUNS; run++) {
    raw.push(await timeRaw());
    byRow.push(await timeEngine(true));
    batched.push(await timeEngine(false));
    for (const [i, engine] of others.entries()) other[i]!.push(await timeOther(engine));
  }
  const line = (label: string, costs: readonly Cost[]) => {
    const wall = median(costs.map((cost) => cost.wall));
    const cpu = median(costs.map((cost) => cost.cpu));
    return `${label.padEnd(50)} ${fmt(wall).padStart(5)} µs/object (${fmt(1000 / wall, 0).padStart(3)}k/s)  CPU ${fmt(cpu).padStart(5)} µs/object`;
  };
  console.log(
    `${OBJECTS} SensorReading inserts in commits of ${BATCH} (WAL, synchronous=FULL), median of ${RUNS} runs`,
  );
  console.log(line("raw better-sqlite3 row by row, text pre-encoded", raw));
  console.log(line("SqliteStorage.commit, row-by-row writer", byRow));
  console.log(line("SqliteStorage.commit", batched));
  for (const [i, engine] of others.entries())
    console.log(
      line(`${engine.name === "postgres" ? "PostgresStorage" : engine.name}.commit`, other[i]!),
    );
} finally {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Data-access `find` on 100k Car documents through the data layer: as the system (no rules)
 * and as a user under the seeds' owner-read-write role (its read filter ANDed into the
 * query), against a raw better-sqlite3 scan of the same documents as JSON rows, measured in
 * the same run. Usage: npx tsx --conditions=@atoll/source bench/server/find.ts [documents]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { ObjectId } from "bson";
import { loadAppConfig } from "../../packages/server/src/config/loadAppConfig.js";
import { DataLayer } from "../../packages/server/src/data/DataLayer.js";
import { openStorage } from "../../packages/server/src/storage/openStorage.js";
import { CARS_APP_DIR, fmt, median } from "./support.js";

const DOCUMENTS = Number(process.argv[2] ?? 100_000);
const OWNERS = 100;
const RUNS = 3;
const MAKES = ["Toyota", "Honda", "Ford", "Volvo", "Fiat"];

const dir = await mkdtemp(path.join(tmpdir(), "atoll-bench-find-"));
const storage = await openStorage(`sqlite:${path.join(dir, "find.db")}`);
try {
  const data = new DataLayer(storage, await loadAppConfig(CARS_APP_DIR));
  const owners = Array.from({ length: OWNERS }, () => new ObjectId().toHexString());
  const docs = Array.from({ length: DOCUMENTS }, (_, i) => ({
    _id: new ObjectId(),
    ownerId: owners[i % OWNERS] ?? "",
    make: MAKES[i % MAKES.length] ?? "",
    model: `model ${i % 37}`,
    miles: (i * 7919) % 200_000,
  }));
  // Loaded straight into storage in large batches: the setup is not what is measured.
  const ns = { db: "cars-db", coll: "Car" };
  for (let i = 0; i < docs.length; i += 10_000) {
    await storage.commit(
      docs.slice(i, i + 10_000).map((doc) => ({ kind: "insert" as const, ns, doc })),
    );
  }
  const cars = data.system().db("cars-db").collection("Car");

  const raw = new Database(path.join(dir, "raw.db"));
  raw.pragma("journal_mode = WAL");
  raw.exec("CREATE TABLE cars (id TEXT PRIMARY KEY, doc TEXT NOT NULL)");
  const insert = raw.prepare("INSERT INTO cars (id, doc) VALUES (?, ?)");
  raw.transaction(() => {
    for (const doc of docs)
      insert.run(doc._id.toHexString(), JSON.stringify({ ...doc, _id: doc._id.toHexString() }));
  })();
  const scan = raw.prepare("SELECT doc FROM cars");

  const owner = owners[0] ?? "";
  const user = { id: owner, type: "normal" as const, data: {}, custom_data: {}, identities: [] };
  const userCars = data.forUser(user).db("cars-db").collection("Car");
  const query = { make: "Toyota" };

  const time = async (
    op: () => Promise<number> | number,
  ): Promise<{ ms: number; results: number }> => {
    const times: number[] = [];
    let results = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      results = await op();
      times.push(performance.now() - start);
    }
    return { ms: median(times), results };
  };
  const baseline = await time(
    () =>
      scan
        .all()
        .map((row) => JSON.parse((row as { doc: string }).doc))
        .filter((d) => d.make === "Toyota").length,
  );
  const system = await time(async () => (await cars.find(query)).length);
  const withRule = await time(async () => (await userCars.find(query)).length);
  raw.close();

  const row = (label: string, r: { ms: number; results: number }) =>
    `${label.padEnd(36)} ${fmt(r.ms, 0).padStart(6)} ms  ${fmt(DOCUMENTS / (r.ms / 1000) / 1000, 0).padStart(5)}k docs scanned/s  ${r.results} results  (${fmt(r.ms / baseline.ms)}x raw)`;
  console.log(
    `${DOCUMENTS} Car documents (${OWNERS} owners, 1 in ${MAKES.length} a Toyota), query {make: "Toyota"}, median of ${RUNS} runs`,
  );
  console.log(row("raw better-sqlite3 scan + JSON.parse", baseline));
  console.log(row("find as system (no rules)", system));
  console.log(row("find under owner-read-write", withRule));
} finally {
  await storage.close();
  await rm(dir, { recursive: true, force: true });
}

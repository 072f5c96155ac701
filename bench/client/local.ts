/**
 * The local database against raw better-sqlite3 doing the equivalent work in the same run:
 * bulk insert, single-object transactions, primary-key lookups, filtered queries (indexed and
 * not), property reads from live objects, listener latency, open time and file size.
 *
 *   npx tsx --conditions=source bench/client/local.ts [objects=100000]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Realm } from "@atoll/client";
import type { ObjectSchema } from "@atoll/client";

const N = Number(process.argv[2] ?? 100_000);
const SINGLE = 10_000;
const LOOKUPS = 100_000;
const READS = 1_000_000;
const dir = mkdtempSync(join(tmpdir(), "atoll-bench-client-"));

const schema: ObjectSchema[] = [
  {
    name: "Person",
    primaryKey: "id",
    properties: { id: "int", name: "string", age: { type: "int", indexed: true }, score: "double" },
  },
];
interface Person {
  id: number;
  name: string;
  age: number;
  score: number;
}
const person = (id: number): Person => ({ id, name: `person ${id}`, age: id % 100, score: (id * 7919) % 1000 / 1000 });

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

function rawDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE IF NOT EXISTS person (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER NOT NULL, score REAL NOT NULL)");
  db.exec("CREATE INDEX IF NOT EXISTS person_age ON person (age)");
  return db;
}

const rows: [string, string, string, string][] = [];
function report(name: string, atoll: number, raw: number | undefined, unit = "ms"): void {
  const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
  rows.push([name, `${fmt(atoll)} ${unit}`, raw === undefined ? "—" : `${fmt(raw)} ${unit}`, raw === undefined ? "—" : `${(atoll / raw).toFixed(2)}x`]);
}

// 1. Bulk insert in one transaction.
const realmPath = join(dir, "bench.realm");
const rawPath = join(dir, "bench.sqlite");
let realm = new Realm({ path: realmPath, schema });
const raw = rawDb(rawPath);
const people = Array.from({ length: N }, (_, i) => person(i));
const bulkAtoll = time(() => realm.write(() => { for (const p of people) realm.create("Person", p); }));
const insert = raw.prepare("INSERT INTO person (id, name, age, score) VALUES (@id, @name, @age, @score)");
const bulkRaw = time(() => raw.transaction(() => { for (const p of people) insert.run(p); })());
report(`insert ${N} objects, one transaction`, bulkAtoll.ms, bulkRaw.ms);

// 2. Single-object transactions.
const single = time(() => { for (let i = 0; i < SINGLE; i++) realm.write(() => realm.create("Person", person(N + i))); });
const singleRaw = time(() => { for (let i = 0; i < SINGLE; i++) insert.run(person(N + i)); });
report(`${SINGLE} single-object transactions (per txn)`, (single.ms / SINGLE) * 1000, (singleRaw.ms / SINGLE) * 1000, "µs");

// 3. Primary-key lookups (find and read one property).
const keys = Array.from({ length: LOOKUPS }, (_, i) => (i * 7919) % N);
const lookup = time(() => { let s = 0; for (const k of keys) s += (realm.objectForPrimaryKey<Person>("Person", k) as Person).age; return s; });
const byId = raw.prepare("SELECT id, name, age, score FROM person WHERE id = ?");
const lookupRaw = time(() => { let s = 0; for (const k of keys) s += (byId.get(k) as Person).age; return s; });
report(`primary-key lookup (per lookup)`, (lookup.ms / LOOKUPS) * 1000, (lookupRaw.ms / LOOKUPS) * 1000, "µs");

// 4. Filtered queries over all objects: indexed equality, and a range on a non-indexed property.
const queryRuns = 20;
const indexed = time(() => { let n = 0; for (let r = 0; r < queryRuns; r++) n += realm.objects("Person").filtered("age == $0", r).length; return n; });
const byAge = raw.prepare("SELECT id, name, age, score FROM person WHERE age = ?");
const indexedRaw = time(() => { let n = 0; for (let r = 0; r < queryRuns; r++) n += byAge.all(r).length; return n; });
report(`query, indexed equality (~1% match, per query)`, indexed.ms / queryRuns, indexedRaw.ms / queryRuns);
const scanRuns = 5;
const scan = time(() => { let n = 0; for (let r = 0; r < scanRuns; r++) n += realm.objects("Person").filtered("score > $0", 0.99 - r / 100).length; return n; });
const byScore = raw.prepare("SELECT id, name, age, score FROM person WHERE score > ?");
const scanRaw = time(() => { let n = 0; for (let r = 0; r < scanRuns; r++) n += byScore.all(0.99 - r / 100).length; return n; });
report(`query, non-indexed range (per query)`, scan.ms / scanRuns, scanRaw.ms / scanRuns);

// 5. Property reads from live objects (the raw baseline reads plain row objects).
const live = realm.objects<Person>("Person").slice(0, 1000);
const plain = raw.prepare("SELECT id, name, age, score FROM person LIMIT 1000").all() as Person[];
const reads = (list: Person[]): number => { let s = 0; for (let i = 0; i < READS; i++) s += (list[i % 1000] as Person).age; return s; };
reads(live); reads(plain); // warm up
const readAtoll = time(() => reads(live));
const readRaw = time(() => reads(plain));
report(`read ${READS} properties (per read)`, (readAtoll.ms / READS) * 1e6, (readRaw.ms / READS) * 1e6, "ns");

// 6. Listener latency: commit to callback.
const latencies: number[] = [];
await new Promise<void>((resolve) => {
  const results = realm.objects("Person").filtered("age == 1");
  let started = 0n;
  let runs = 0;
  results.addListener((_c, changes) => {
    if (started !== 0n) latencies.push(Number(process.hrtime.bigint() - started) / 1e3);
    if (changes.insertions.length === 0 && started !== 0n) return;
    if (runs++ >= 50) {
      results.removeAllListeners();
      resolve();
      return;
    }
    setImmediate(() => {
      started = process.hrtime.bigint();
      realm.write(() => realm.create("Person", { ...person(N + SINGLE + runs), age: 1 }));
    });
  });
});
latencies.sort((a, b) => a - b);
report(`listener latency after commit (median)`, latencies[latencies.length >> 1] ?? NaN, undefined, "µs");

// 7. Open time and file size.
realm.close();
raw.close();
const openAtoll = time(() => new Realm({ path: realmPath, schema }));
realm = openAtoll.value;
const openRaw = time(() => { const db = rawDb(rawPath); const all = db.prepare("SELECT * FROM person").all(); db.close(); return all.length; });
report(`open a ${realm.objects("Person").length}-object realm (raw: open + read all rows)`, openAtoll.ms, openRaw.ms);
realm.close();
const size = (p: string): number => statSync(p).size + (statSync(p + "-wal", { throwIfNoEntry: false })?.size ?? 0);
report(`file size (MB, incl. WAL)`, size(realmPath) / 1e6, size(rawPath) / 1e6, "MB");

console.log(`| measure | Atoll | raw better-sqlite3 | ratio |\n| --- | --- | --- | --- |`);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
rmSync(dir, { recursive: true, force: true });

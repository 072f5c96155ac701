/**
 * The local database against raw better-sqlite3 doing the equivalent work in the same run:
 * bulk insert, single-object transactions, primary-key lookups, filtered queries (indexed and
 * not), property reads from live objects, listener latency, open time and file size. Each
 * comparison runs in alternating rounds (Atoll, raw, Atoll, raw, …) and reports medians, so a
 * busy machine weighs on both sides alike.
 *
 *   npx tsx --conditions=@atoll/source bench/client/local.ts [objects=100000] [rounds=3]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Realm } from "@atoll/client";
import type { ObjectSchema } from "@atoll/client";

const N = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 3);
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
const person = (id: number): Person => ({
  id,
  name: `person ${id}`,
  age: id % 100,
  score: ((id * 7919) % 1000) / 1000,
});
const people = Array.from({ length: N }, (_, i) => person(i));

function ms(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

/** Runs `atoll` and `raw` in alternating rounds; returns the median of each. */
function compare(
  atoll: (round: number) => number,
  raw: (round: number) => number,
): [number, number] {
  const a: number[] = [];
  const r: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    a.push(atoll(round));
    r.push(raw(round));
  }
  return [median(a), median(r)];
}

function rawDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(
    "CREATE TABLE IF NOT EXISTS person (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER NOT NULL, score REAL NOT NULL)",
  );
  db.exec("CREATE INDEX IF NOT EXISTS person_age ON person (age)");
  return db;
}
const insertSql = "INSERT INTO person (id, name, age, score) VALUES (@id, @name, @age, @score)";

const rows: string[][] = [];
function report(name: string, atoll: number, raw: number | undefined, unit: string): void {
  const fmt = (v: number): string =>
    v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
  rows.push([
    name,
    `${fmt(atoll)} ${unit}`,
    raw === undefined ? "—" : `${fmt(raw)} ${unit}`,
    raw === undefined ? "—" : `${(atoll / raw).toFixed(2)}×`,
  ]);
}

// 1. Bulk insert in one transaction, each round into a fresh file.
const bulk = compare(
  (round) => {
    const realm = new Realm({ path: join(dir, `bulk-${round}.realm`), schema });
    const t = ms(() =>
      realm.write(() => {
        for (const p of people) realm.create("Person", p);
      }),
    );
    realm.close();
    return t;
  },
  (round) => {
    const db = rawDb(join(dir, `bulk-${round}.sqlite`));
    const insert = db.prepare(insertSql);
    const t = ms(() =>
      db.transaction(() => {
        for (const p of people) insert.run(p);
      })(),
    );
    db.close();
    return t;
  },
);
report(`insert ${N} objects in one transaction`, bulk[0], bulk[1], "ms");

// The remaining measures use the files of round 0.
const realmPath = join(dir, "bulk-0.realm");
const rawPath = join(dir, "bulk-0.sqlite");
let realm = new Realm({ path: realmPath, schema });
const raw = rawDb(rawPath);
const insert = raw.prepare(insertSql);

// 2. Single-object transactions.
const perTxn = Math.floor(SINGLE / ROUNDS);
let nextId = N;
const single = compare(
  () => {
    const from = nextId;
    nextId += perTxn;
    return ms(() => {
      for (let i = from; i < from + perTxn; i++)
        realm.write(() => realm.create("Person", person(i)));
    });
  },
  () => {
    const from = nextId;
    nextId += perTxn;
    return ms(() => {
      for (let i = from; i < from + perTxn; i++) insert.run(person(i));
    });
  },
);
report(
  `${perTxn * ROUNDS} single-object write transactions (per transaction)`,
  (single[0] / perTxn) * 1000,
  (single[1] / perTxn) * 1000,
  "µs",
);

// 3. Primary-key lookups (find the object, read one property).
const keys = Array.from({ length: LOOKUPS }, (_, i) => (i * 7919) % N);
const byId = raw.prepare("SELECT id, name, age, score FROM person WHERE id = ?");
const lookups = compare(
  () =>
    ms(() => {
      let s = 0;
      for (const k of keys) s += (realm.objectForPrimaryKey<Person>("Person", k) as Person).age;
      return s;
    }),
  () =>
    ms(() => {
      let s = 0;
      for (const k of keys) s += (byId.get(k) as Person).age;
      return s;
    }),
);
report(
  `primary-key lookup (per lookup)`,
  (lookups[0] / LOOKUPS) * 1000,
  (lookups[1] / LOOKUPS) * 1000,
  "µs",
);

// 4. Filtered queries over every object: indexed equality (1% match), non-indexed range (~5%).
const byAge = raw.prepare("SELECT id, name, age, score FROM person WHERE age = ?");
const indexed = compare(
  (round) => ms(() => realm.objects("Person").filtered("age == $0", round).length),
  (round) => ms(() => byAge.all(round).length),
);
report(`query, indexed equality, ~1% match`, indexed[0], indexed[1], "ms");
const byScore = raw.prepare("SELECT id, name, age, score FROM person WHERE score > ?");
const scan = compare(
  (round) => ms(() => realm.objects("Person").filtered("score > $0", 0.95 - round / 100).length),
  (round) => ms(() => byScore.all(0.95 - round / 100).length),
);
report(`query, non-indexed range, ~5% match`, scan[0], scan[1], "ms");

// 5. Property reads from live objects; the raw baseline reads plain row objects.
const live = realm.objects<Person>("Person").slice(0, 1000);
const plain = raw.prepare("SELECT id, name, age, score FROM person LIMIT 1000").all() as Person[];
const readAll = (list: Person[]): number => {
  let s = 0;
  for (let i = 0; i < READS; i++) s += (list[i % 1000] as Person).age;
  return s;
};
const reads = compare(
  () => ms(() => readAll(live)),
  () => ms(() => readAll(plain)),
);
report(
  `read ${READS} properties (per read)`,
  (reads[0] / READS) * 1e6,
  (reads[1] / READS) * 1e6,
  "ns",
);

// 6. Listener latency: from the start of a one-object write to the Results listener's callback.
const latencies: number[] = [];
await new Promise<void>((resolve) => {
  const results = realm.objects("Person").filtered("age == 1");
  let started = 0n;
  results.addListener(() => {
    if (started !== 0n) latencies.push(Number(process.hrtime.bigint() - started) / 1e3);
    if (latencies.length >= 30) {
      results.removeAllListeners();
      resolve();
      return;
    }
    setImmediate(() => {
      started = process.hrtime.bigint();
      realm.write(() => realm.create("Person", { ...person(nextId++), age: 1 }));
    });
  });
});
report(
  `listener latency, write to callback (median; query matches ~1% of objects)`,
  median(latencies),
  undefined,
  "µs",
);

// 7. Open time and file size.
realm.close();
raw.close();
const count = N + 2 * perTxn * ROUNDS + latencies.length;
const open = compare(
  () =>
    ms(() => {
      realm = new Realm({ path: realmPath, schema });
      realm.close();
    }),
  () =>
    ms(() => {
      const db = rawDb(rawPath);
      db.prepare("SELECT * FROM person").all();
      db.close();
    }),
);
report(`open a ${count}-object realm (raw: open and read every row)`, open[0], open[1], "ms");
const size = (p: string): number =>
  statSync(p).size + (statSync(`${p}-wal`, { throwIfNoEntry: false })?.size ?? 0);
report(`file size, WAL included`, size(realmPath) / 1e6, size(rawPath) / 1e6, "MB");

console.log(`| measure | Atoll | raw better-sqlite3 | ratio |\n| --- | --- | --- | --- |`);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
rmSync(dir, { recursive: true, force: true });

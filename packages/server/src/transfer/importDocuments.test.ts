import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ObjectId } from "bson";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openStorage } from "../storage/openStorage.js";
import type { StorageEngine } from "../storage/StorageEngine.js";
import { DocumentImporter, type Rejected } from "./importDocuments.js";
import { importSources } from "./importSources.js";
import { extendedJson, writeArchive, writeBsonCollection } from "./test-support/dumpFiles.js";

const CAR_SCHEMA = {
  bsonType: "object",
  required: ["_id", "ownerId", "make"],
  properties: {
    _id: { bsonType: "objectId" },
    ownerId: { bsonType: "string" },
    make: { bsonType: "string" },
    miles: { bsonType: "int" },
  },
};
const CARS = { db: "cars-db", coll: "Car" };

let dir: string;
let storage: StorageEngine;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "atoll-import-"));
  storage = await openStorage("memory");
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const cars = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    _id: new ObjectId(),
    ownerId: `u${i % 3}`,
    make: "Ford",
    miles: i,
  }));

function importer(into: StorageEngine, rejected: Rejected[] = [], batch = 4): DocumentImporter {
  return new DocumentImporter(
    into,
    (ns) => (ns.db === CARS.db && ns.coll === CARS.coll ? CAR_SCHEMA : undefined),
    { rejected: (r) => rejected.push(r) },
    batch,
  );
}

async function sources(...files: string[]) {
  return importSources(files, {}, (coll) => (coll === "Car" ? "cars-db" : undefined));
}

/** `storage` whose commits fail from the `n`th on (an injected crash). */
function failingFrom(n: number): StorageEngine {
  let commits = 0;
  return new Proxy(storage, {
    get(target, property, receiver) {
      if (property === "commit")
        return (...args: Parameters<StorageEngine["commit"]>) => {
          if (++commits >= n) return Promise.reject(new Error("disk unplugged"));
          return target.commit(...args);
        };
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function"
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

it("loads canonical and relaxed Extended JSON, lines and arrays, types intact", async () => {
  const docs = cars(6);
  writeFileSync(path.join(dir, "Car.json"), extendedJson(docs.slice(0, 3), "lines", false));
  writeFileSync(path.join(dir, "more.json"), extendedJson(docs.slice(3), "array", true));
  const [lines] = await sources(path.join(dir, "Car.json"));
  await importer(storage).importSource(lines!);
  // another file name: the collection comes from the options, as `--collection Car` gives it
  const [more] = await importSources(
    [path.join(dir, "more.json")],
    { collection: "Car", db: "cars-db" },
    () => undefined,
  );
  await importer(storage).importSource(more!);
  expect((await storage.scan(CARS)).map((s) => s.doc)).toEqual(docs);
});

it("reports each rejected document by file, position and reason and writes the others whole", async () => {
  const good = cars(3);
  const lines = [
    extendedJson([good[0]!], "lines", false).trim(),
    '{"_id": {"$oid": "65a1b2c3d4e5f6a7b8c9d0e1"}, "ownerId": 7, "make": "Kia"}',
    "{oops",
    extendedJson([good[1]!, good[2]!], "lines", true).trim(),
    extendedJson([good[0]!], "lines", true).trim(), // the same _id again
  ];
  writeFileSync(path.join(dir, "Car.json"), `${lines.join("\n")}\n`);
  const rejected: Rejected[] = [];
  const [source] = await sources(path.join(dir, "Car.json"));
  const outcome = await importer(storage, rejected, 10).importSource(source!);
  expect(outcome).toMatchObject({ imported: 3, rejected: 3 });
  expect(rejected.map((r) => [path.basename(r.file), r.position])).toEqual([
    ["Car.json", 2],
    ["Car.json", 3],
    ["Car.json", 6],
  ]);
  expect(rejected[0]?.reason).toMatch(/ownerId.*string/);
  expect(rejected[1]?.reason).toMatch(/^not a document/);
  expect(rejected[2]?.reason).toMatch(/already in cars-db\.Car/);
  expect((await storage.scan(CARS)).map((s) => s.doc)).toEqual(good);
});

it("resumes an interrupted import after its last committed batch, writing nothing twice", async () => {
  const docs = cars(10);
  const file = path.join(dir, "dump", "cars-db", "Car.bson");
  mkdirSync(path.dirname(file), { recursive: true });
  writeBsonCollection(file, docs, true);
  const [source] = await sources(path.join(dir, "dump"));
  await expect(importer(failingFrom(2)).importSource(source!)).rejects.toThrow("disk unplugged");
  expect(await storage.scan(CARS)).toHaveLength(4);
  const outcome = await importer(storage).importSource(source!);
  expect(outcome).toMatchObject({ imported: 6, resumedAfter: 4 });
  expect((await storage.scan(CARS)).map((s) => s.doc)).toEqual(docs);
  expect(await importer(storage).importSource(source!)).toMatchObject({ alreadyDone: true });
});

it("loads a whole archive, gzip or not, into the databases and collections it names", async () => {
  const docs = cars(5);
  const readings = [{ _id: 1, value: 2.5 }];
  for (const gzip of [false, true]) {
    const into = await openStorage("memory");
    const file = path.join(dir, `dump-${gzip}.archive`);
    writeArchive(
      file,
      [
        { db: "cars-db", collection: "Car", docs },
        { db: "cars-db", collection: "SensorReading", docs: readings },
      ],
      gzip,
    );
    const [source] = await sources(file);
    expect(await importer(into).importSource(source!)).toMatchObject({ imported: 6 });
    expect((await into.scan(CARS)).map((s) => s.doc)).toEqual(docs);
    expect((await into.scan({ db: "cars-db", coll: "SensorReading" })).map((s) => s.doc)).toEqual(
      readings,
    );
    await into.close();
  }
});

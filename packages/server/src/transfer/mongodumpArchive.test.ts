import { gzipSync } from "node:zlib";
import { BSON, ObjectId } from "bson";
import { expect, it } from "vitest";
import { bsonDocuments, MalformedBson } from "./bsonDocuments.js";
import { readMongodumpArchive, type ArchiveItem } from "./mongodumpArchive.js";
import { archiveBytes, bsonFileBytes } from "./test-support/dumpFiles.js";

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const cars = Array.from({ length: 5 }, (_, i) => ({ _id: new ObjectId(), make: `car ${i}` }));
const readings = Array.from({ length: 3 }, (_, i) => ({ _id: i, value: i * 1.5 }));

it("reads an archive's collections and their interleaved documents, in chunks of any size", async () => {
  const bytes = archiveBytes([
    { db: "cars-db", collection: "Car", docs: cars },
    { db: "cars-db", collection: "SensorReading", docs: readings },
  ]);
  for (const size of [1, 7, 4096]) {
    const items: ArchiveItem[] = [];
    for await (const item of readMongodumpArchive(chunksOf(bytes, size))) items.push(item);
    expect(items.filter((i) => i.kind === "collection").map((i) => i.collection)).toEqual([
      "Car",
      "SensorReading",
    ]);
    const docs = (coll: string) =>
      items.flatMap((i) =>
        i.kind === "document" && i.collection === coll ? [BSON.deserialize(i.bytes)] : [],
      );
    expect(docs("Car")).toEqual(cars);
    expect(docs("SensorReading")).toEqual(readings);
  }
});

it("refuses what is not an archive, and a .bson file cut short", async () => {
  const notArchive = async () => {
    for await (const item of readMongodumpArchive(chunksOf(gzipSync(Buffer.from("x")), 64)))
      void item;
  };
  await expect(notArchive()).rejects.toBeInstanceOf(MalformedBson);
  const cut = bsonFileBytes(cars).subarray(0, -3);
  const read = async () => {
    for await (const doc of bsonDocuments(chunksOf(cut, 10))) void doc;
  };
  await expect(read()).rejects.toThrow(/ends inside a document/);
});

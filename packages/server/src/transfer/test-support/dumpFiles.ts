/**
 * Writes what `mongodump` and `mongoexport` write, for the import tests: `.bson` files with
 * their `.metadata.json`, archives (collections' segments interleaved, as a concurrent dump
 * writes them), Extended JSON lines and arrays; gzip on request.
 */
import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { BSON, EJSON, type Document } from "bson";
import { ARCHIVE_MAGIC } from "../mongodumpArchive.js";

const TERMINATOR = Buffer.from([0xff, 0xff, 0xff, 0xff]);

function maybeGzip(bytes: Buffer, gzip: boolean): Buffer {
  return gzip ? gzipSync(bytes) : bytes;
}

export function bsonFileBytes(docs: readonly Document[]): Buffer {
  return Buffer.concat(docs.map((doc) => BSON.serialize(doc)));
}

export function writeBsonCollection(
  bsonPath: string,
  docs: readonly Document[],
  gzip = false,
): void {
  writeFileSync(bsonPath, maybeGzip(bsonFileBytes(docs), gzip));
  const metadata = bsonPath.replace(/\.bson(\.gz)?$/, ".metadata.json");
  writeFileSync(metadata, JSON.stringify({ indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }] }));
}

export interface ArchiveCollection {
  readonly db: string;
  readonly collection: string;
  readonly docs: readonly Document[];
}

/** An archive whose collections' documents come in segments of `segment`, taking turns. */
export function archiveBytes(collections: readonly ArchiveCollection[], segment = 2): Buffer {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(ARCHIVE_MAGIC);
  const parts: Buffer[] = [
    magic,
    Buffer.from(
      BSON.serialize({
        concurrent_collections: 4,
        version: "0.1",
        server_version: "7.0.0",
        tool_version: "100.9.4",
      }),
    ),
  ];
  for (const c of collections)
    parts.push(
      Buffer.from(
        BSON.serialize({
          db: c.db,
          collection: c.collection,
          metadata: JSON.stringify({ indexes: [] }),
          size: 0,
          type: "collection",
        }),
      ),
    );
  parts.push(TERMINATOR);
  const header = (c: ArchiveCollection, eof: boolean) =>
    Buffer.from(BSON.serialize({ db: c.db, collection: c.collection, EOF: eof, CRC: BigInt(0) }));
  const longest = Math.max(...collections.map((c) => c.docs.length));
  for (let from = 0; from < longest; from += segment) {
    for (const c of collections) {
      const docs = c.docs.slice(from, from + segment);
      if (docs.length === 0) continue;
      parts.push(header(c, false), ...docs.map((d) => Buffer.from(BSON.serialize(d))), TERMINATOR);
    }
  }
  for (const c of collections) parts.push(header(c, true), TERMINATOR);
  return Buffer.concat(parts);
}

export function writeArchive(
  file: string,
  collections: readonly ArchiveCollection[],
  gzip = false,
): void {
  writeFileSync(file, maybeGzip(archiveBytes(collections), gzip));
}

export function extendedJson(
  docs: readonly Document[],
  form: "lines" | "array",
  relaxed: boolean,
): string {
  const texts = docs.map((doc) => EJSON.stringify(doc, { relaxed }));
  return form === "lines" ? `${texts.join("\n")}\n` : `[${texts.join(",\n")}]`;
}

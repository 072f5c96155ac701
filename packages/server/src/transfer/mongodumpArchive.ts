/**
 * Reads `mongodump --archive` output (after decompression, for `--gzip`): a magic number, a
 * header document, a prelude of one metadata document per collection (its `.metadata.json` as
 * a string) closed by a terminator, then segments of documents, each opened by a namespace
 * header `{db, collection, EOF}` and closed by a terminator. Segments of several collections
 * interleave when mongodump dumped them concurrently; a header with `EOF: true` ends its
 * collection.
 */
import { BSON } from "bson";
import { bsonDocuments, MalformedBson, TERMINATOR } from "./bsonDocuments.js";

export const ARCHIVE_MAGIC = 0x8199e26d;

export type ArchiveItem =
  | {
      readonly kind: "collection";
      readonly db: string;
      readonly collection: string;
      /** The collection's `.metadata.json` text (options, indexes, uuid). */
      readonly metadata: string;
    }
  | {
      readonly kind: "document";
      readonly db: string;
      readonly collection: string;
      readonly bytes: Uint8Array;
    };

async function* withoutMagic(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let head: Buffer = Buffer.alloc(0);
  let checked = false;
  for await (const chunk of chunks) {
    if (checked) {
      yield chunk;
      continue;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length < 4) continue;
    if (head.readUInt32LE(0) !== ARCHIVE_MAGIC)
      throw new MalformedBson(
        "not a mongodump archive (its first bytes are not the archive's mark)",
      );
    checked = true;
    if (head.length > 4) yield head.subarray(4);
  }
  if (!checked) throw new MalformedBson("not a mongodump archive (it is shorter than its mark)");
}

function stringField(doc: Record<string, unknown>, field: string): string {
  const value = doc[field];
  if (typeof value !== "string") throw new MalformedBson(`an archive header lacks "${field}"`);
  return value;
}

export async function* readMongodumpArchive(
  chunks: AsyncIterable<Buffer>,
): AsyncGenerator<ArchiveItem> {
  type Phase = "header" | "prelude" | "namespace" | "documents" | "ended";
  let phase: Phase = "header";
  let db = "";
  let collection = "";
  for await (const item of bsonDocuments(withoutMagic(chunks))) {
    if (item === TERMINATOR) {
      if (phase === "prelude" || phase === "documents" || phase === "ended") phase = "namespace";
      else throw new MalformedBson(`unexpected terminator in the archive's ${phase}`);
      continue;
    }
    switch (phase) {
      case "header":
        phase = "prelude";
        break;
      case "prelude": {
        const doc = BSON.deserialize(item);
        yield {
          kind: "collection",
          db: stringField(doc, "db"),
          collection: stringField(doc, "collection"),
          metadata: typeof doc.metadata === "string" ? doc.metadata : "",
        };
        break;
      }
      case "namespace": {
        const header = BSON.deserialize(item);
        db = stringField(header, "db");
        collection = stringField(header, "collection");
        phase = header.EOF === true ? "ended" : "documents";
        break;
      }
      case "documents":
        yield { kind: "document", db, collection, bytes: item };
        break;
      case "ended":
        throw new MalformedBson(`documents after the end of ${db}.${collection}`);
    }
  }
  if (phase === "header") throw new MalformedBson("the archive has no header");
}

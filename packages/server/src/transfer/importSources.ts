/**
 * What `atoll import` reads, as sources of documents bound for namespaces: a `mongoexport`
 * file (JSON lines or a JSON array of canonical or relaxed Extended JSON), a `mongodump`
 * collection file (`<coll>.bson`, beside its `<coll>.metadata.json`), a `mongodump` output
 * directory (`<db>/<coll>.bson` below it, or the `.bson` files of one database), or a
 * `mongodump --archive` file. Any of them may be gzip-compressed.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { AppError } from "@atoll/protocol";
import { BSON } from "bson";
import type { Document } from "../data/types.js";
import type { Namespace } from "../storage/StorageEngine.js";
import { bsonDocuments, TERMINATOR } from "./bsonDocuments.js";
import { extendedJsonTexts } from "./extendedJsonTexts.js";
import { documentFromExtendedJson } from "./extendedJsonValues.js";
import { readMongodumpArchive } from "./mongodumpArchive.js";
import { openSourceFile, type SourceFile } from "./openSourceFile.js";

/** One document of a source, decoded on demand (a failure rejects that document alone). */
export interface SourceItem {
  readonly ns: Namespace;
  /** Line (JSON lines), element (JSON array) or document (BSON, archive) number, from 1. */
  readonly position: number;
  decode(): Document;
}

export interface ImportSource {
  /** The file, as reports name it. */
  readonly file: string;
  open(): Promise<{ file: SourceFile; items: AsyncIterable<SourceItem> }>;
}

export interface TargetOptions {
  /** The database to load a single collection's file into. */
  readonly db?: string;
  /** The collection to load a single collection's file into (default: the file's base name). */
  readonly collection?: string;
  /** Takes an archive even when its name does not say so. */
  readonly archive?: boolean;
}

/** Finds the database of the app that has a collection named `collection`, if exactly one does. */
export type DatabaseOf = (collection: string) => string | undefined;

const BSON_FILE = /\.bson(\.gz)?$/;
const ARCHIVE_FILE = /\.(archive|agz)(\.gz)?$/;

export async function importSources(
  paths: readonly string[],
  target: TargetOptions,
  databaseOf: DatabaseOf,
): Promise<ImportSource[]> {
  const sources: ImportSource[] = [];
  for (const given of paths) {
    const file = path.resolve(given);
    const info = await stat(file).catch(() => undefined);
    if (info === undefined) throw new AppError("InvalidParameter", `no such file: ${given}`);
    if (info.isDirectory()) sources.push(...(await dumpDirectory(file, target)));
    else if (target.archive === true || ARCHIVE_FILE.test(file)) sources.push(archiveSource(file));
    else if (BSON_FILE.test(file)) {
      const collection = target.collection ?? baseName(file);
      const db = target.db ?? path.basename(path.dirname(file));
      sources.push(bsonSource(file, { db, coll: collection }));
    } else {
      const collection = target.collection ?? baseName(file);
      const db = target.db ?? databaseOf(collection);
      if (db === undefined)
        throw new AppError(
          "InvalidParameter",
          `which database does ${given} go to? No single collection of the app is named "${collection}": pass --db (and --collection)`,
        );
      sources.push(extendedJsonSource(file, { db, coll: collection }));
    }
  }
  return sources;
}

function baseName(file: string): string {
  return path.basename(file).replace(/(\.metadata)?\.(json|jsonl|ndjson|bson)(\.gz)?$/, "");
}

/** `<dir>/<db>/<coll>.bson` (a whole dump) or `<dir>/<coll>.bson` (one database: `<dir>` names it). */
async function dumpDirectory(dir: string, target: TargetOptions): Promise<ImportSource[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const here = entries.filter((e) => e.isFile() && BSON_FILE.test(e.name)).map((e) => e.name);
  if (here.length > 0) {
    const db = target.db ?? path.basename(dir);
    return here
      .sort()
      .map((name) => bsonSource(path.join(dir, name), { db, coll: baseName(name) }));
  }
  const out: ImportSource[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort(byName)) {
    if (entry.name === "admin" || entry.name === "config" || entry.name === "local") continue;
    const files = (await readdir(path.join(dir, entry.name)))
      .filter((name) => BSON_FILE.test(name))
      .sort();
    for (const name of files)
      out.push(
        bsonSource(path.join(dir, entry.name, name), { db: entry.name, coll: baseName(name) }),
      );
  }
  if (out.length === 0)
    throw new AppError("InvalidParameter", `no mongodump .bson files under ${dir}`);
  return out;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function extendedJsonSource(file: string, ns: Namespace): ImportSource {
  return {
    file,
    open: async () => {
      const opened = await openSourceFile(file);
      async function* items(): AsyncGenerator<SourceItem> {
        for await (const { position, text } of extendedJsonTexts(opened.chunks)) {
          yield {
            ns,
            position,
            decode: () => documentFromExtendedJson(text),
          };
        }
      }
      return { file: opened, items: items() };
    },
  };
}

function bsonSource(file: string, ns: Namespace): ImportSource {
  return {
    file,
    open: async () => {
      await checkMetadata(file);
      const opened = await openSourceFile(file);
      async function* items(): AsyncGenerator<SourceItem> {
        let position = 0;
        for await (const bytes of bsonDocuments(opened.chunks)) {
          if (bytes === TERMINATOR)
            throw new AppError("InvalidParameter", `${file} is not a .bson file`);
          position += 1;
          yield { ns, position, decode: () => BSON.deserialize(bytes) };
        }
      }
      return { file: opened, items: items() };
    },
  };
}

/** A collection's `.metadata.json`, when it is there, must at least be JSON: a damaged dump says so early. */
async function checkMetadata(bsonFile: string): Promise<void> {
  const metadataFile = bsonFile.replace(BSON_FILE, ".metadata.json");
  const text = await readFile(metadataFile, "utf8").catch(() => undefined);
  if (text === undefined) return;
  try {
    JSON.parse(text);
  } catch (error) {
    throw new AppError(
      "InvalidParameter",
      `${metadataFile} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function archiveSource(file: string): ImportSource {
  return {
    file,
    open: async () => {
      const opened = await openSourceFile(file);
      async function* items(): AsyncGenerator<SourceItem> {
        let position = 0;
        for await (const item of readMongodumpArchive(opened.chunks)) {
          if (item.kind !== "document") continue;
          if (item.db === "admin" || item.db === "config" || item.db === "local") continue;
          position += 1;
          const { bytes } = item;
          yield {
            ns: { db: item.db, coll: item.collection },
            position,
            decode: () => BSON.deserialize(bytes),
          };
        }
      }
      return { file: opened, items: items() };
    },
  };
}

/**
 * Writes collections out as `atoll import` (and `mongoimport`/`mongorestore`) read them back:
 * canonical Extended JSON, one document per line (`<dir>/<db>/<coll>.json`), or BSON
 * documents back to back (`<dir>/<db>/<coll>.bson`, mongodump's layout). Only the app's
 * collections: the server's own bookkeeping (`__atoll*` databases) stays behind.
 */
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { BSON, EJSON } from "bson";
import type { Namespace, StorageEngine } from "../storage/StorageEngine.js";

export type ExportFormat = "json" | "bson";

export interface ExportFilter {
  readonly db?: string;
  readonly collection?: string;
}

export interface ExportedCollection {
  readonly ns: Namespace;
  readonly file: string;
  readonly documents: number;
}

export async function exportCollections(
  storage: StorageEngine,
  dir: string,
  format: ExportFormat,
  filter: ExportFilter = {},
): Promise<ExportedCollection[]> {
  const namespaces = (await storage.listNamespaces()).filter(
    (ns) =>
      !ns.db.startsWith("__atoll") &&
      (filter.db === undefined || ns.db === filter.db) &&
      (filter.collection === undefined || ns.coll === filter.collection),
  );
  const out: ExportedCollection[] = [];
  for (const ns of namespaces) {
    const file = path.join(dir, ns.db, `${ns.coll}.${format}`);
    await mkdir(path.dirname(file), { recursive: true });
    const stream = createWriteStream(file);
    const finished = new Promise<void>((resolve, reject) => {
      stream.on("finish", resolve);
      stream.on("error", reject);
    });
    let documents = 0;
    // Page by page from one snapshot: memory stays flat whatever the collection's size.
    for await (const page of storage.scanStream(ns)) {
      for (const { doc } of page) {
        const chunk =
          format === "json"
            ? `${EJSON.stringify(doc, { relaxed: false })}\n`
            : Buffer.from(BSON.serialize(doc));
        if (!stream.write(chunk))
          await new Promise<void>((resolve) => stream.once("drain", () => resolve()));
      }
      documents += page.length;
    }
    stream.end();
    await finished;
    out.push({ ns, file, documents });
  }
  return out;
}

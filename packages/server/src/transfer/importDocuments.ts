/**
 * Loads the documents of import sources into storage, streaming, in batches: each batch's
 * documents are committed together with how far into its source the import has come, so an
 * interrupted import resumes after the last committed batch, never writing a document twice
 * nor leaving one half-written. A document that is not Extended JSON or BSON, fails its
 * collection's schema, or has the `_id` of a document already there is left out and reported
 * (file, position, reason); the rest go in. The writes carry no origin: sync records them into
 * history like any write made outside it, so they reach the devices.
 */
import { AppError } from "@atoll/protocol";
import { ObjectId } from "bson";
import type { Document } from "../data/types.js";
import { validateSchema } from "../data/validateSchema.js";
import type { CollectionSchema } from "../config/types.js";
import { idKey } from "../storage/documentCodec.js";
import { StorageError } from "../storage/StorageError.js";
import type {
  Namespace,
  StorageEngine,
  StoredDocument,
  WriteOp,
} from "../storage/StorageEngine.js";
import { MalformedBson } from "./bsonDocuments.js";
import { MalformedJsonArray } from "./extendedJsonTexts.js";
import type { ImportSource, SourceItem } from "./importSources.js";

/** How far each source file has been imported: beside the app's data, never in the change feed. */
export const IMPORT_PROGRESS: Namespace = { db: "__atoll_import", coll: "progress" };

export const DEFAULT_IMPORT_BATCH = 10_000;

export interface Rejected {
  readonly file: string;
  readonly position: number;
  readonly reason: string;
}

export interface ImportEvents {
  /** After each committed batch: documents read from the source so far, bytes of it read. */
  progress?(source: ImportSource, read: number, bytesRead: number, size: number): void;
  rejected?(rejected: Rejected): void;
}

export interface ImportOutcome {
  readonly imported: number;
  readonly rejected: number;
  /** Documents of the source an interrupted import had already committed. */
  readonly resumedAfter: number;
  /** The source had been imported whole before: nothing was read. */
  readonly alreadyDone: boolean;
}

interface Progress {
  readonly read: number;
  readonly size: number;
  readonly done: boolean;
}

interface Pending {
  readonly item: SourceItem;
  readonly doc: Document;
}

export class DocumentImporter {
  constructor(
    private readonly storage: StorageEngine,
    private readonly schemaOf: (ns: Namespace) => CollectionSchema | undefined,
    private readonly events: ImportEvents = {},
    private readonly batchSize = DEFAULT_IMPORT_BATCH,
  ) {}

  async importSource(source: ImportSource): Promise<ImportOutcome> {
    const { file, items } = await source.open();
    let stored = await this.storage.get(IMPORT_PROGRESS, source.file);
    const before = progressOf(stored);
    if (before?.done === true)
      return { imported: 0, rejected: 0, resumedAfter: before.read, alreadyDone: true };
    if (before !== undefined && before.size !== file.size)
      throw new AppError(
        "InvalidParameter",
        `${source.file} changed since its import was interrupted (${before.read} documents in): import the new file under another name, or delete what was imported`,
      );
    const resumedAfter = before?.read ?? 0;
    let read = 0;
    let imported = 0;
    let rejected = 0;
    let pending: Pending[] = [];
    const reject = (item: SourceItem, reason: string) => {
      rejected += 1;
      this.events.rejected?.({ file: source.file, position: item.position, reason });
    };
    const flush = async (done: boolean) => {
      const progress: Progress = { read, size: file.size, done };
      const written = await this.commit(pending, source.file, progress, stored, reject);
      imported += written;
      pending = [];
      stored = await this.storage.get(IMPORT_PROGRESS, source.file);
      this.events.progress?.(source, read, file.bytesRead(), file.size);
    };
    try {
      for await (const item of items) {
        read += 1;
        if (read <= resumedAfter) continue;
        const doc = this.checked(item, reject);
        if (doc !== undefined) pending.push({ item, doc });
        if (pending.length >= this.batchSize) await flush(false);
      }
    } catch (error) {
      if (!(error instanceof MalformedBson || error instanceof MalformedJsonArray)) throw error;
      // What was committed stays: the import resumes there once the file is whole.
      throw new AppError("InvalidParameter", `${source.file}: ${error.message}`, { cause: error });
    }
    await flush(true);
    return { imported, rejected, resumedAfter, alreadyDone: false };
  }

  /** The item's document with an `_id`, if it decodes and fits its collection's schema. */
  private checked(
    item: SourceItem,
    reject: (item: SourceItem, reason: string) => void,
  ): Document | undefined {
    let doc: Document;
    try {
      doc = item.decode();
      if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
    } catch (error) {
      reject(item, `not a document: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    const schema = this.schemaOf(item.ns);
    if (schema === undefined) return doc;
    try {
      validateSchema(schema, doc);
      return doc;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      reject(item, error.message);
      return undefined;
    }
  }

  /**
   * Commits the documents with the source's progress; the documents whose `_id` is taken
   * (in the collection, or earlier in the batch) are rejected and the rest committed.
   * Returns how many were written.
   */
  private async commit(
    pending: readonly Pending[],
    key: string,
    progress: Progress,
    stored: StoredDocument | null,
    reject: (item: SourceItem, reason: string) => void,
  ): Promise<number> {
    const progressOp: WriteOp = stored
      ? {
          kind: "replace",
          ns: IMPORT_PROGRESS,
          doc: { _id: key, ...progress },
          expectedVersion: stored.version,
        }
      : { kind: "insert", ns: IMPORT_PROGRESS, doc: { _id: key, ...progress } };
    const inserts = (batch: readonly Pending[]): WriteOp[] =>
      batch.map(({ item, doc }) => ({ kind: "insert", ns: item.ns, doc }));
    try {
      await this.storage.commit([...inserts(pending), progressOp]);
      return pending.length;
    } catch (error) {
      if (!(error instanceof StorageError && error.code === "DuplicateKey")) throw error;
    }
    const free = await this.withoutTakenIds(pending, reject);
    await this.storage.commit([...inserts(free), progressOp]);
    return free.length;
  }

  private async withoutTakenIds(
    pending: readonly Pending[],
    reject: (item: SourceItem, reason: string) => void,
  ): Promise<Pending[]> {
    const taken = new Set<string>();
    const byNamespace = new Map<string, Pending[]>();
    for (const entry of pending) {
      const key = `${entry.item.ns.db}.${entry.item.ns.coll}`;
      const entries = byNamespace.get(key);
      if (entries === undefined) byNamespace.set(key, [entry]);
      else entries.push(entry);
    }
    for (const [key, entries] of byNamespace) {
      const ns = entries[0]!.item.ns;
      const existing = await this.storage.scan(ns, { ids: entries.map((e) => e.doc._id) });
      for (const { doc } of existing) taken.add(`${key} ${idKey(doc._id)}`);
    }
    const free: Pending[] = [];
    for (const entry of pending) {
      const key = `${entry.item.ns.db}.${entry.item.ns.coll} ${idKey(entry.doc._id)}`;
      if (taken.has(key)) {
        reject(
          entry.item,
          `a document with _id ${idKey(entry.doc._id)} is already in ${entry.item.ns.db}.${entry.item.ns.coll}`,
        );
        continue;
      }
      taken.add(key);
      free.push(entry);
    }
    return free;
  }
}

function progressOf(stored: StoredDocument | null): Progress | undefined {
  if (stored === null) return undefined;
  const { read, size, done } = stored.doc;
  return { read: Number(read), size: Number(size), done: done === true };
}

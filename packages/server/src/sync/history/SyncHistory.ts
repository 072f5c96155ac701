/**
 * The server's sync history over the storage engine: numbered changesets, client file
 * identities, per-object merge metadata, and the integration of uploads.
 *
 * An upload is integrated in one atomic storage batch: the app documents it changes, their
 * merge metadata, the new history entry (with the next server version), and the uploader's
 * progress. Server versions come from a counter document written in the same batch with the
 * version read, so two integrations (on one node or several) can never take the same number:
 * the loser's batch fails with a conflict and is integrated again on the new state.
 */
import {
  SyncErrorCode,
  SyncProtocolError,
  type Instruction,
  type PrimaryKey,
} from "@atoll/protocol";
import type { Document } from "../../data/types.js";
import { StorageError } from "../../storage/StorageError.js";
import type { StorageEngine, StoredDocument, WriteOp } from "../../storage/StorageEngine.js";
import type { Writer } from "../merge/clock.js";
import type { ReadFingerprints } from "../permissions/readFingerprints.js";
import { separateFreshInserts, type SeparatedUpload } from "../merge/freshInserts.js";
import { groupByObject, type ObjectInstructions } from "../groupByObject.js";
import {
  integrateUpload,
  type HistoryEntry,
  type Integration,
  type ObjectState,
} from "../merge/integrateUpload.js";
import { isListInstruction } from "../merge/listTransform.js";
import { isInsideMixed } from "../nestedCollections.js";
import { EMPTY_META } from "../merge/objectMeta.js";
import type { SyncModel } from "../syncSchema.js";
import {
  clientFileFromDocument,
  recordReadFingerprints,
  recordSeen,
  type ClientFileRecord,
  type Seen,
} from "./clientFileRecords.js";
import { FLOOR_COUNTER } from "./compactHistory.js";
import { correctionsFor, type RestoreObject } from "./corrections.js";
import { DocumentReads } from "./DocumentReads.js";
import {
  entryFromDocument,
  type EntryObject,
  type RejectedObject,
  type SyncEntry,
} from "./historyEntries.js";
import { metaFromDocument, metaToDocument } from "./metaDocuments.js";
import {
  counterOp,
  counterValue,
  historyEntryOp,
  isConflict,
  MAX_ATTEMPTS,
} from "./historyWrites.js";
import { CLIENT_FILES, COUNTERS, HISTORY, OBJECT_META, SYNC_ORIGIN } from "./syncNamespaces.js";

/** The server's own file ident: changes made outside sync originate here. */
export const SERVER_FILE_IDENT = 1;

export interface UploadedChangeset {
  readonly clientVersion: number;
  readonly writer: Writer;
  readonly instructions: readonly Instruction[];
}

/** An object an upload touches, as stored before integration. */
interface LoadedObject {
  readonly table: string;
  readonly pk: PrimaryKey;
  readonly stored: StoredDocument | null;
  readonly meta: StoredDocument | null;
  readonly state: ObjectState;
}

export interface IntegrationResult extends Integration {
  /** Server version of the new history entry; undefined when the upload was already integrated. */
  readonly version: number | undefined;
  /** The new history entry as stored (undefined when the upload was already integrated). */
  readonly entry?: SyncEntry;
  /** What the origin must apply to converge (stored with the entry). */
  readonly corrections: readonly Instruction[];
}

export interface IntegrateOptions {
  /**
   * Everything the client uploaded, rejected objects included (default: the instructions
   * integrated). Objects whose effect differs from this get a correction.
   */
  readonly uploaded?: readonly Instruction[];
  /** The origin's view of an object after the entry; without it no corrections are kept. */
  readonly restore?: RestoreObject;
  /** Objects of the upload the session rejected: kept with the entry, reported to the origin. */
  readonly rejected?: readonly RejectedObject[];
  /**
   * Recent entries already decoded (consecutive from `after + 1`, possibly fewer than
   * `limit`): the concurrent history is read from here first, the rest from storage.
   */
  readonly recent?: (after: number, limit: number) => Promise<readonly HistoryEntry[]>;
  /** The documents the upload was judged on (read again if the first commit fails). */
  readonly reads?: DocumentReads;
  /** Each object as the upload leaves it, judged on `reads` (by `objectKey`). */
  readonly judged?: ReadonlyMap<string, Document | undefined>;
  /** `groupByObject` of `uploaded` and of the upload's instructions, when already made. */
  readonly grouped?: {
    readonly uploaded: ReadonlyMap<string, ObjectInstructions>;
    readonly integrated: ReadonlyMap<string, ObjectInstructions>;
  };
  /** Bounds the work of merging list positions (unbounded when absent). */
  readonly maxListTransformSteps?: number;
}

/**
 * The commit of a changeset judged on objects presumed absent failed (one was not): judge and
 * integrate it again on real reads. Nothing was written.
 */
export class PresumedAbsenceFailed extends Error {
  constructor(cause: unknown) {
    super("an object presumed absent was stored", { cause });
  }
}

export class SyncHistory {
  private compactedThrough = 0;

  constructor(
    private readonly storage: StorageEngine,
    private readonly model: SyncModel,
  ) {}

  async latestVersion(): Promise<number> {
    return counterValue(await this.storage.get(COUNTERS, "serverVersion"));
  }

  /**
   * The compaction floor as last read or raised here: entries at or below it are deleted
   * (`compactHistory`). It only grows; `loadFloor` reads it from storage.
   */
  get floor(): number {
    return this.compactedThrough;
  }

  async loadFloor(): Promise<number> {
    const stored = counterValue(await this.storage.get(COUNTERS, FLOOR_COUNTER));
    this.compactedThrough = Math.max(this.compactedThrough, stored);
    return this.compactedThrough;
  }

  /**
   * History entries after `version`, oldest first, at most `limit`. History before the floor
   * is gone: asking for it fails with 222 (the reader must reset), never with fewer entries.
   */
  async entriesSince(version: number, limit = 1000): Promise<SyncEntry[]> {
    if (version < this.compactedThrough) throw this.compacted(version);
    const latest = await this.latestVersion();
    const ids = Array.from(
      { length: Math.max(0, Math.min(limit, latest - version)) },
      (_, i) => version + 1 + i,
    );
    if (ids.length === 0) return [];
    const stored = await this.storage.scan(HISTORY, { ids });
    if (stored.length !== ids.length) {
      // Compacted meanwhile (here or on another node): the floor was stored with the deletions.
      if (version < (await this.loadFloor())) throw this.compacted(version);
      throw new StorageError("Conflict", `history entries after ${version} are missing`);
    }
    return stored
      .map(({ doc }) => entryFromDocument(doc, this.model.schema))
      .sort((a, b) => a.version - b.version);
  }

  private compacted(version: number): SyncProtocolError {
    return new SyncProtocolError(
      SyncErrorCode.ClientFileExpired,
      `The client needs history after server version ${version}, but history through server version ${this.compactedThrough} was compacted; the client must reset`,
    );
  }

  /** A new client file identity with a random salt, seen at `now` (ms since the Unix epoch). */
  async allocateFileIdent(
    userId: string,
    now = Date.now(),
  ): Promise<{ ident: number; salt: number }> {
    for (let attempt = 0; ; attempt++) {
      const counter = await this.storage.get(COUNTERS, "fileIdent");
      const ident = ((counter?.doc.value as number | undefined) ?? SERVER_FILE_IDENT) + 1;
      const salt = Math.floor(Math.random() * (Number.MAX_SAFE_INTEGER - 1)) + 1;
      try {
        await this.storage.commit([
          counterOp("fileIdent", ident, counter),
          {
            kind: "insert",
            ns: CLIENT_FILES,
            doc: { _id: ident, salt, userId, integratedClientVersion: 0, lastSeen: now },
          },
        ]);
        return { ident, salt };
      } catch (error) {
        if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  async clientFile(ident: number): Promise<ClientFileRecord | undefined> {
    const stored = await this.storage.get(CLIENT_FILES, ident);
    return stored ? clientFileFromDocument(stored.doc) : undefined;
  }

  /** Records the read filters client file `ident` syncs by (see `ClientFileRecord`). */
  recordReadFingerprints(ident: number, fingerprints: ReadFingerprints): Promise<void> {
    return recordReadFingerprints(this.storage, ident, fingerprints);
  }

  /** Records that client file `ident` was connected (see `ClientFileRecord`). */
  recordSeen(ident: number, seen: Seen): Promise<void> {
    return recordSeen(this.storage, ident, seen);
  }

  /** A per-changeset cache of synced documents, to share between judging and `integrate`. */
  documentReads(): DocumentReads {
    return new DocumentReads(this.storage, this.model);
  }

  /**
   * Integrates one changeset from client file `ident`. A changeset at or below the client's
   * integrated version was integrated before (a re-upload after reconnecting) and is skipped.
   * Objects an upload creates new in asymmetric tables are inserted as uploaded (see
   * `freshInserts`); everything else is merged (`integrateUpload`).
   */
  async integrate(
    ident: number,
    upload: UploadedChangeset,
    options: IntegrateOptions = {},
  ): Promise<IntegrationResult> {
    const uploaded = options.uploaded ?? upload.instructions;
    const integratedObjects = options.grouped?.integrated ?? groupByObject(upload.instructions);
    const uploadedObjects =
      options.grouped?.uploaded ??
      (uploaded === upload.instructions ? integratedObjects : groupByObject(uploaded));
    for (let attempt = 0; ; attempt++) {
      const file = await this.storage.get(CLIENT_FILES, ident);
      if (!file) throw new StorageError("Conflict", `unknown client file ${ident}`);
      if (upload.clientVersion <= (file.doc.integratedClientVersion as number)) {
        return {
          version: undefined,
          effective: [],
          objects: new Map(),
          dropped: [],
          corrections: [],
        };
      }
      const counter = await this.storage.get(COUNTERS, "serverVersion");
      const version = ((counter?.doc.value as number | undefined) ?? 0) + 1;
      // Only list positions, and changes inside collections in mixed values, are decided by
      // what was written concurrently (see ListTransformer and NestedReplacements).
      const concurrent = upload.instructions.some(
        (i) =>
          isListInstruction(i) ||
          ("path" in i && isInsideMixed(this.model.schema, i.table, i.path)),
      )
        ? await this.concurrentEntries(upload.writer, version - 1, options.recent)
        : [];
      const shared = attempt === 0 && options.reads !== undefined;
      const reads = shared ? options.reads : this.documentReads();
      await reads.load([...integratedObjects].map(([key, { table, pk }]) => ({ table, pk, key })));
      const judged = shared ? options.judged : undefined;
      const separated = separateFreshInserts(
        upload.instructions,
        integratedObjects,
        (table) => this.isInsertOnly(table),
        (key) => !reads.readAbsent(key),
        (key) => judged?.get(key),
      );
      const loaded = new Map<string, LoadedObject>();
      await this.loadObjects(loaded, integratedObjects, reads, separated.inserts);
      await this.loadObjects(loaded, uploadedObjects, reads, separated.inserts);
      const current = new Map<string, ObjectState>();
      for (const [key, { state }] of loaded) current.set(key, state);
      const merged = integrateUpload(
        { writer: upload.writer, instructions: separated.merged },
        version,
        current,
        concurrent,
        options.maxListTransformSteps,
      );
      const result = withInserts(merged, separated);
      const afterOf = (key: string) =>
        result.objects.has(key) ? result.objects.get(key)!.state.doc : loaded.get(key)?.stored?.doc;
      const mergedObjects =
        merged.effective.length === 0 ? undefined : groupByObject(merged.effective);
      const corrections = options.restore
        ? correctionsFor(
            uploadedObjects,
            (key) =>
              separated.inserts.get(key)?.instructions ?? mergedObjects?.get(key)?.instructions,
            afterOf,
            options.restore,
          )
        : [];
      const entry: SyncEntry = {
        version,
        originIdent: ident,
        originTimestamp: upload.writer.ts,
        clientVersion: upload.clientVersion,
        instructions: merged.effective,
        objects: this.entryObjects(merged, loaded),
        corrections,
        rejected: options.rejected ?? [],
      };
      const batch: WriteOp[] = [
        counterOp("serverVersion", version, counter),
        {
          kind: "replace",
          ns: CLIENT_FILES,
          doc: {
            ...file.doc,
            integratedClientVersion: upload.clientVersion,
            uploadBase: upload.writer.baseVersion,
          },
          expectedVersion: file.version,
        },
        historyEntryOp(entry),
      ];
      for (const key of separated.order) {
        const insert = separated.inserts.get(key);
        const object = merged.objects.get(key);
        if (insert)
          batch.push({ kind: "insert", ns: this.namespaceOf(insert.table), doc: insert.doc });
        else if (object)
          batch.push(...this.objectWrites(key, object.table, loaded.get(key), object.state));
      }
      try {
        await this.storage.commit(batch, { origin: SYNC_ORIGIN });
        return { ...result, version, corrections, entry };
      } catch (error) {
        if (shared && reads.presumedAbsence && isConflict(error))
          throw new PresumedAbsenceFailed(error);
        if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** Entries after the writer's base through `through` by others than the writer, oldest first. */
  private async concurrentEntries(
    writer: Writer,
    through: number,
    recent: IntegrateOptions["recent"],
  ): Promise<HistoryEntry[]> {
    const base = writer.baseVersion;
    const cached = recent && through > base ? await recent(base, through - base) : [];
    const last = cached.at(-1)?.version ?? base;
    const rest = last < through ? await this.entriesSince(last, through - last) : [];
    return [...cached, ...rest].filter((entry) => entry.originIdent !== writer.ident);
  }

  /** The objects an entry changed, before and after (none for asymmetric tables: never fanned out). */
  private entryObjects(
    result: Integration,
    loaded: ReadonlyMap<string, LoadedObject>,
  ): EntryObject[] {
    const out: EntryObject[] = [];
    for (const [key, { table, pk, state }] of result.objects) {
      if (this.model.tables.get(table)?.asymmetric) continue;
      const before = loaded.get(key)?.stored?.doc;
      out.push({
        table,
        pk,
        ...(before === undefined ? {} : { before }),
        ...(state.doc === undefined ? {} : { after: state.doc }),
      });
    }
    return out;
  }

  /** Asymmetric tables: insert-only, their objects never seen nor written by anyone but their creator. */
  private isInsertOnly(table: string): boolean {
    return this.model.tables.get(table)?.asymmetric === true;
  }

  private namespaceOf(table: string): { db: string; coll: string } {
    const synced = this.model.tables.get(table);
    if (!synced) throw new StorageError("Conflict", `"${table}" is not a synced table`);
    return { db: synced.database, coll: synced.collection };
  }

  /** Each object's document and, unless it is a fresh insert (which has none), its merge metadata. */
  private async loadObjects(
    out: Map<string, LoadedObject>,
    objects: ReadonlyMap<string, ObjectInstructions>,
    reads: DocumentReads,
    inserts: ReadonlyMap<string, unknown>,
  ): Promise<void> {
    const wanted = [...objects].filter(([key]) => !out.has(key));
    await reads.load(wanted.map(([key, { table, pk }]) => ({ table, pk, key })));
    // Merge metadata of every object the upload may have seen before, in one scan.
    const metaKeys = wanted.map(([key]) => key).filter((key) => !inserts.has(key));
    const metas = new Map<string, StoredDocument>();
    if (metaKeys.length > 0)
      for (const meta of await this.storage.scan(OBJECT_META, { ids: metaKeys }))
        metas.set(meta.doc._id as string, meta);
    for (const [key, { table, pk }] of wanted) {
      const known = reads.known(key);
      const stored = known !== undefined ? known : await reads.get(table, pk, key);
      const meta = metas.get(key) ?? null;
      out.set(key, {
        table,
        pk,
        stored,
        meta,
        state: { doc: stored?.doc, meta: metaFromDocument(meta?.doc) },
      });
    }
  }

  private objectWrites(
    key: string,
    table: string,
    loaded: LoadedObject | undefined,
    state: ObjectState,
  ): WriteOp[] {
    const ns = this.namespaceOf(table);
    const ops: WriteOp[] = [];
    const before = loaded?.stored ?? null;
    if (state.doc && !before) ops.push({ kind: "insert", ns, doc: state.doc });
    else if (state.doc && before)
      ops.push({ kind: "replace", ns, doc: state.doc, expectedVersion: before.version });
    else if (!state.doc && before)
      ops.push({ kind: "delete", ns, id: before.doc._id, expectedVersion: before.version });
    const metaDoc: Document = metaToDocument(key, state.meta);
    ops.push(
      loaded?.meta
        ? { kind: "replace", ns: OBJECT_META, doc: metaDoc, expectedVersion: loaded.meta.version }
        : { kind: "insert", ns: OBJECT_META, doc: metaDoc },
    );
    return ops;
  }
}

/** The merged part of an upload with its fresh inserts added (they enter as uploaded). */
function withInserts(merged: Integration, separated: SeparatedUpload): Integration {
  if (separated.inserts.size === 0) return merged;
  const objects = new Map(merged.objects);
  const effective = [...merged.effective];
  for (const [key, { table, pk, instructions, doc }] of separated.inserts) {
    objects.set(key, { table, pk, state: { doc, meta: EMPTY_META } });
    effective.push(...instructions);
  }
  return { effective, objects, dropped: merged.dropped };
}

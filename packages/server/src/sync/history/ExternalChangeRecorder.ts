/**
 * Writes made outside sync (functions, data access, the CLI) enter sync history, so devices
 * subscribed to those objects receive them like any other change, and later concurrent
 * uploads are merged against them. The recorder follows the storage change feed from a
 * cursor that is advanced in the same batch as each history entry it appends, so a crash
 * never loses or doubles an entry, and two nodes never record the same change twice.
 */
import type { Instruction, PrimaryKey } from "@atoll/protocol";
import type { ChangeRecord, StorageEngine, WriteOp } from "../../storage/StorageEngine.js";
import {
  instructionsForChange,
  primaryKeyOf,
  UnsyncableDocument,
} from "../documentInstructions.js";
import type { Clock } from "../merge/clock.js";
import { objectKey } from "../merge/integrateUpload.js";
import { EMPTY_META, isAtOrBelow, pathKey, type ObjectMeta } from "../merge/objectMeta.js";
import type { SyncedTable, SyncModel } from "../syncSchema.js";
import {
  counterOp,
  counterValue,
  historyEntryOp,
  isConflict,
  MAX_ATTEMPTS,
} from "./historyWrites.js";
import type { EntryObject, SyncEntry } from "./historyEntries.js";
import { metaFromDocument, metaToDocument } from "./metaDocuments.js";
import { SERVER_FILE_IDENT } from "./SyncHistory.js";
import { COUNTERS, OBJECT_META, SYNC_ORIGIN } from "./syncNamespaces.js";

/** Change records read and recorded per storage batch: one commit and one meta read each. */
export const RECORDING_BATCH = 2000;

/** A change the recorder turns into a history entry, with what it takes to build the entry. */
interface Recordable {
  readonly record: ChangeRecord;
  readonly table: string;
  readonly pk: PrimaryKey;
  readonly key: string;
  readonly instructions: Instruction[];
}

/** Change records held from the commit listener before the recorder falls back to reading the feed. */
const MAX_HELD = 50_000;

export class ExternalChangeRecorder {
  private readonly tablesByNamespace = new Map<string, string>();
  /** Change records this process committed, oldest first, not yet known to be recorded. */
  private held: ChangeRecord[] = [];

  constructor(
    private readonly storage: StorageEngine,
    private readonly model: SyncModel,
    private readonly batchSize = RECORDING_BATCH,
  ) {
    for (const table of model.tables.values()) this.follow(table);
  }

  /** Records writes to `table` from now on (a table added to the model, development mode). */
  follow(table: SyncedTable): void {
    if (!table.asymmetric)
      this.tablesByNamespace.set(`${table.database}.${table.collection}`, table.name);
  }

  /**
   * Takes the change records of a batch this process just committed (the engine's commit
   * listener, every origin), so that recording them need not read them back from the feed.
   * Only an optimisation: the feed stays the truth, and whatever is not held contiguously from
   * the cursor (another node's writes, more than `MAX_HELD` waiting) is read from it.
   */
  hold(records: readonly ChangeRecord[]): void {
    if (this.held.length + records.length > MAX_HELD) this.held = [];
    else for (const record of records) this.held.push(record);
  }

  /** Records every change the feed holds beyond the cursor; returns the entries it appended. */
  async catchUp(): Promise<SyncEntry[]> {
    const appended: SyncEntry[] = [];
    for (;;) {
      const step = await this.recordBatch();
      for (const entry of step.entries) appended.push(entry);
      if (step.done) return appended;
    }
  }

  /**
   * Records the next batch of the feed beyond the cursor in one storage commit: the cursor
   * moves past the batch's last change record together with the entries it appends, so a
   * crash never loses or doubles one, and a node that lost the race for the cursor (another
   * node recorded the batch) reads it again from the new cursor. `done` when the feed held
   * nothing beyond the cursor.
   */
  async recordBatch(): Promise<{ entries: SyncEntry[]; done: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const cursor = await this.storage.get(COUNTERS, "externalSeq");
      const records = await this.changesAfter(counterValue(cursor));
      const last = records.at(-1);
      if (last === undefined) return { entries: [], done: true };
      const changes = records.flatMap((record) => this.recordable(record));
      // An insert's object has no merge metadata unless it was erased before: the first attempt
      // does not look (a batch of fresh inserts reads nothing); when one had some, the commit
      // fails on the duplicate and the next attempt reads them all.
      const built = await this.historyWrites(changes, attempt === 0);
      try {
        await this.storage.commit([counterOp("externalSeq", last.seq, cursor), ...built.writes], {
          origin: SYNC_ORIGIN,
        });
        return { entries: built.entries, done: false };
      } catch (error) {
        if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** The next change records after `seq`: those held when they follow on from it, else the feed's. */
  private async changesAfter(seq: number): Promise<readonly ChangeRecord[]> {
    const firstKept = this.held.findIndex((record) => record.seq > seq);
    this.held = firstKept === -1 ? [] : this.held.slice(firstKept);
    let run = 0;
    while (run < this.batchSize && this.held[run]?.seq === seq + 1 + run) run++;
    if (run > 0 && (run === this.batchSize || run === this.held.length)) {
      return this.held.slice(0, run);
    }
    return this.storage.changesSince(seq, this.batchSize);
  }

  /**
   * The change as a history entry's makings; none for sync's own writes, unsynced collections
   * and documents no device can hold (the cursor moves past them, so the writes after them
   * still reach the devices).
   */
  private recordable(record: ChangeRecord): Recordable[] {
    if (record.origin === SYNC_ORIGIN) return [];
    const table = this.tablesByNamespace.get(`${record.ns.db}.${record.ns.coll}`);
    if (table === undefined) return [];
    try {
      const pk = primaryKeyOf(record.documentKey._id);
      const instructions = instructionsForChange(this.model.schema, table, record);
      return [{ record, table, pk, key: objectKey(table, pk), instructions }];
    } catch (error) {
      if (error instanceof UnsyncableDocument) return [];
      throw error;
    }
  }

  /**
   * The entries for `changes`, numbered from the server version counter, and the writes that
   * append them: the counter, the entries, and each touched object's merge metadata (read in
   * one scan, written once however many of the changes touch the object).
   */
  private async historyWrites(
    changes: readonly Recordable[],
    insertsAreFresh: boolean,
  ): Promise<{ entries: SyncEntry[]; writes: WriteOp[] }> {
    if (changes.length === 0) return { entries: [], writes: [] };
    const counter = await this.storage.get(COUNTERS, "serverVersion");
    const looked = insertsAreFresh
      ? changes.filter((change) => change.record.operationType !== "insert")
      : changes;
    const keys = [...new Set(looked.map((change) => change.key))];
    const stored = new Map(
      (await this.storage.scan(OBJECT_META, { ids: keys })).map((s) => [s.doc._id as string, s]),
    );
    const metas = new Map<string, ObjectMeta>();
    const entries: SyncEntry[] = [];
    let version = counterValue(counter);
    for (const { record, table, pk, key, instructions } of changes) {
      version += 1;
      const ts = record.clusterTime.getTime();
      const before = metas.get(key) ?? metaFromDocument(stored.get(key)?.doc);
      metas.set(key, nextMeta(before, instructions, { ts, ident: SERVER_FILE_IDENT, version }));
      entries.push({
        version,
        originIdent: SERVER_FILE_IDENT,
        originTimestamp: ts,
        clientVersion: 0,
        instructions,
        objects: [entryObject(table, pk, record)],
        corrections: [],
        rejected: [],
      });
    }
    const writes: WriteOp[] = [counterOp("serverVersion", version, counter)];
    // An insert's entry is stored without its changeset (derived again from the document).
    for (const [i, entry] of entries.entries())
      writes.push(
        historyEntryOp(
          changes[i]!.record.operationType === "insert" ? { ...entry, created: true } : entry,
        ),
      );
    for (const [key, meta] of metas) {
      const previous = stored.get(key);
      writes.push(
        previous
          ? {
              kind: "replace",
              ns: OBJECT_META,
              doc: metaToDocument(key, meta),
              expectedVersion: previous.version,
            }
          : { kind: "insert", ns: OBJECT_META, doc: metaToDocument(key, meta) },
      );
    }
    return { entries, writes };
  }
}

/** The object a change touched, before and after it. */
function entryObject(table: string, pk: PrimaryKey, record: ChangeRecord): EntryObject {
  const { fullDocumentBeforeChange: before, fullDocument: after } = record;
  if (before === undefined) return after === undefined ? { table, pk } : { table, pk, after };
  return after === undefined ? { table, pk, before } : { table, pk, before, after };
}

/** The merge metadata after a write made outside sync: it wrote every field it touched, at `stamp`. */
function nextMeta(
  meta: ObjectMeta,
  instructions: readonly Instruction[],
  stamp: Clock,
): ObjectMeta {
  if (instructions.some((i) => i.type === "EraseObject")) {
    return { ...EMPTY_META, erased: { version: stamp.version, ident: stamp.ident } };
  }
  if (instructions[0]?.type === "CreateObject") {
    const clocks: Record<string, Clock> = {};
    for (const i of instructions) if ("path" in i) clocks[fieldKey(i.path[0]!)] = stamp;
    return { clocks, additions: {} };
  }
  const fields = new Set(instructions.flatMap((i) => ("path" in i ? [i.path[0]!] : [])));
  const base = meta;
  const untouched = (key: string) => ![...fields].some((field) => isAtOrBelow(key, [field]));
  const clocks = Object.fromEntries(Object.entries(base.clocks).filter(([key]) => untouched(key)));
  for (const field of fields) clocks[fieldKey(field)] = stamp;
  const additions = Object.fromEntries(
    Object.entries(base.additions).filter(([key]) => untouched(key)),
  );
  return { clocks, additions };
}

/** `pathKey([field])` by field: the objects of one table repeat the same few field names. */
const fieldKeys = new Map<string | number, string>();
const FIELD_KEYS_KEPT = 4096;

function fieldKey(field: string | number): string {
  let key = fieldKeys.get(field);
  if (key === undefined) {
    key = pathKey([field]);
    if (fieldKeys.size < FIELD_KEYS_KEPT) fieldKeys.set(field, key);
  }
  return key;
}

/**
 * Writes made outside sync (functions, data access, the CLI) enter sync history, so devices
 * subscribed to those objects receive them like any other change, and later concurrent
 * uploads are merged against them. The recorder follows the storage change feed from a
 * cursor that is advanced in the same batch as each history entry it appends, so a crash
 * never loses or doubles an entry, and two nodes never record the same change twice.
 */
import type { Instruction } from "@atoll/protocol";
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
import type { SyncEntry } from "./historyEntries.js";
import { metaFromDocument, metaToDocument } from "./metaDocuments.js";
import { SERVER_FILE_IDENT } from "./SyncHistory.js";
import { COUNTERS, OBJECT_META, SYNC_ORIGIN } from "./syncNamespaces.js";

const BATCH = 500;

export class ExternalChangeRecorder {
  private readonly tablesByNamespace = new Map<string, string>();

  constructor(
    private readonly storage: StorageEngine,
    private readonly model: SyncModel,
  ) {
    for (const table of model.tables.values()) this.follow(table);
  }

  /** Records writes to `table` from now on (a table added to the model, development mode). */
  follow(table: SyncedTable): void {
    if (!table.asymmetric)
      this.tablesByNamespace.set(`${table.database}.${table.collection}`, table.name);
  }

  /** Records every change the feed holds beyond the cursor; returns the entries it appended. */
  async catchUp(): Promise<SyncEntry[]> {
    const appended: SyncEntry[] = [];
    for (;;) {
      const cursor = counterValue(await this.storage.get(COUNTERS, "externalSeq"));
      const records = await this.storage.changesSince(cursor, BATCH);
      if (records.length === 0) return appended;
      // Sync's own writes and unsynced collections only move the cursor: once per batch, or
      // with the next recorded entry (whose batch sets the cursor past them).
      for (const record of records) {
        if (this.tableOf(record) === undefined) continue;
        const entry = await this.record(record);
        if (entry !== undefined) appended.push(entry);
      }
      const last = records.at(-1)!;
      if (this.tableOf(last) === undefined) await this.advance(last.seq);
    }
  }

  /** The synced table a change made outside sync belongs to, if any. */
  private tableOf(record: ChangeRecord): string | undefined {
    if (record.origin === SYNC_ORIGIN) return undefined;
    return this.tablesByNamespace.get(`${record.ns.db}.${record.ns.coll}`);
  }

  private async advance(seq: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const cursor = await this.storage.get(COUNTERS, "externalSeq");
      if (counterValue(cursor) >= seq) return;
      try {
        await this.storage.commit([counterOp("externalSeq", seq, cursor)], { origin: SYNC_ORIGIN });
        return;
      } catch (error) {
        if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** Records one change into history; undefined when another node got there first. */
  private async record(record: ChangeRecord): Promise<SyncEntry | undefined> {
    for (let attempt = 0; ; attempt++) {
      const cursor = await this.storage.get(COUNTERS, "externalSeq");
      if (counterValue(cursor) >= record.seq) return undefined;
      const table = this.tableOf(record)!;
      const built = await this.historyWrites(table, record).catch((error: unknown) => {
        if (error instanceof UnsyncableDocument) return undefined;
        throw error;
      });
      // A document no device can hold is left out of history: the cursor moves past it, so
      // the writes after it still reach the devices.
      if (built === undefined) {
        await this.advance(record.seq);
        return undefined;
      }
      const { entry, writes } = built;
      const batch: WriteOp[] = [counterOp("externalSeq", record.seq, cursor), ...writes];
      try {
        await this.storage.commit(batch, { origin: SYNC_ORIGIN });
        return entry;
      } catch (error) {
        if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private async historyWrites(
    table: string,
    record: ChangeRecord,
  ): Promise<{ entry: SyncEntry; writes: WriteOp[] }> {
    const counter = await this.storage.get(COUNTERS, "serverVersion");
    const version = counterValue(counter) + 1;
    const instructions = instructionsForChange(this.model.schema, table, record);
    const ts = record.clusterTime.getTime();
    const pk = primaryKeyOf(record.documentKey._id);
    const key = objectKey(table, pk);
    const stored = await this.storage.get(OBJECT_META, key);
    const meta = nextMeta(metaFromDocument(stored?.doc), instructions, {
      ts,
      ident: SERVER_FILE_IDENT,
      version,
    });
    const entry: SyncEntry = {
      version,
      originIdent: SERVER_FILE_IDENT,
      originTimestamp: ts,
      clientVersion: 0,
      instructions,
      objects: [
        {
          table,
          pk,
          ...(record.fullDocumentBeforeChange === undefined
            ? {}
            : { before: record.fullDocumentBeforeChange }),
          ...(record.fullDocument === undefined ? {} : { after: record.fullDocument }),
        },
      ],
      corrections: [],
      rejected: [],
    };
    const writes: WriteOp[] = [
      counterOp("serverVersion", version, counter),
      historyEntryOp(entry),
      stored
        ? {
            kind: "replace",
            ns: OBJECT_META,
            doc: metaToDocument(key, meta),
            expectedVersion: stored.version,
          }
        : { kind: "insert", ns: OBJECT_META, doc: metaToDocument(key, meta) },
    ];
    return { entry, writes };
  }
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
  const created = instructions.some((i) => i.type === "CreateObject");
  const fields = new Set(instructions.flatMap((i) => ("path" in i ? [i.path[0]!] : [])));
  const base = created ? EMPTY_META : meta;
  const untouched = (key: string) => ![...fields].some((field) => isAtOrBelow(key, [field]));
  const clocks = Object.fromEntries(Object.entries(base.clocks).filter(([key]) => untouched(key)));
  for (const field of fields) clocks[pathKey([field])] = stamp;
  const additions = Object.fromEntries(
    Object.entries(base.additions).filter(([key]) => untouched(key)),
  );
  return { clocks, additions };
}

/**
 * The synced documents one changeset reads, each read from storage once: judging the upload
 * and integrating it (both under the app's sync lock) see the same state. A failed commit
 * (another writer got there first) integrates again on fresh reads.
 *
 * Data ingest skips the read of an object it creates new in an asymmetric table: such an
 * object is presumed absent, and the insert's duplicate key, if it was not, makes the caller
 * integrate the changeset again on real reads (`presumedAbsence`).
 */
import type { PrimaryKey } from "@atoll/protocol";
import { ObjectId } from "bson";
import type { StorageEngine, StoredDocument } from "../../storage/StorageEngine.js";
import { objectKey } from "../merge/integrateUpload.js";
import type { SyncModel } from "../syncSchema.js";

export class DocumentReads {
  private readonly stored = new Map<string, StoredDocument | null>();
  private presumed = false;

  constructor(
    private readonly storage: StorageEngine,
    private readonly model: SyncModel,
  ) {}

  /** The object's document as stored (null when absent or its table is not synced). */
  async get(
    table: string,
    pk: PrimaryKey,
    key = objectKey(table, pk),
  ): Promise<StoredDocument | null> {
    const known = this.stored.get(key);
    if (known !== undefined) return known;
    const synced = this.model.tables.get(table);
    const stored = synced
      ? await this.storage.get({ db: synced.database, coll: synced.collection }, pk)
      : null;
    this.stored.set(key, stored);
    return stored;
  }

  /**
   * Reads every object of `objects` not read yet, one scan per table instead of one `get` per
   * object (one round trip for a whole changeset on an engine across the network). An object
   * the scan does not return is absent when its key is a string or an ObjectId, whose key text
   * is the same however the stored value was decoded; any other key is read alone then.
   */
  async load(
    objects: Iterable<{ readonly table: string; readonly pk: PrimaryKey; readonly key: string }>,
  ): Promise<void> {
    const byTable = new Map<string, { pk: PrimaryKey; key: string }[]>();
    for (const { table, pk, key } of objects) {
      if (this.stored.has(key)) continue;
      let wanted = byTable.get(table);
      if (wanted === undefined) byTable.set(table, (wanted = []));
      wanted.push({ pk, key });
    }
    for (const [table, wanted] of byTable) {
      const synced = this.model.tables.get(table);
      if (synced === undefined || wanted.length === 1) {
        for (const { pk, key } of wanted) await this.get(table, pk, key);
        continue;
      }
      const found = new Map<string, StoredDocument>();
      const ns = { db: synced.database, coll: synced.collection };
      for (const stored of await this.storage.scan(ns, { ids: wanted.map((w) => w.pk) }))
        found.set(objectKey(table, stored.doc._id as PrimaryKey), stored);
      for (const { pk, key } of wanted) {
        const stored = found.get(key);
        if (stored !== undefined) this.stored.set(key, stored);
        else if (typeof pk === "string" || pk instanceof ObjectId) this.stored.set(key, null);
        else await this.get(table, pk, key);
      }
    }
  }

  /**
   * Takes an object of an asymmetric table as absent without reading it (true), or declines
   * (false: the table is not asymmetric). Only for objects the upload inserts fresh if absent
   * (`createsFresh`): their insert fails on a duplicate key when they were not.
   */
  presumeAbsent(table: string, key: string): boolean {
    if (this.model.tables.get(table)?.asymmetric !== true) return false;
    this.stored.set(key, null);
    this.presumed = true;
    return true;
  }

  /** Whether any object was presumed absent rather than read. */
  get presumedAbsence(): boolean {
    return this.presumed;
  }

  /** The object's document if it was read already (null: absent), else undefined. */
  known(key: string): StoredDocument | null | undefined {
    return this.stored.get(key);
  }

  /** Whether the object was read and found absent. */
  readAbsent(key: string): boolean {
    return this.stored.get(key) === null;
  }
}

/**
 * The live state of one realm file: every object of the types in the schema, in memory, with
 * the store underneath. Reads never touch the store; a write transaction mutates rows in place
 * (keeping a before-image for rollback) and hands the touched rows to the store at commit.
 */
import type { ClassInfo, ObjectRow, Stored } from "../schema/ClassInfo.js";
import { buildClasses, defaultFor, pkIndexKey } from "../schema/ClassInfo.js";
import type { CanonicalObjectSchema } from "../schema/types.js";
import type { LocalStore, StoredObject } from "../store/LocalStore.js";
import { decodeValues } from "./rowCodec.js";
import { PendingIngest } from "./PendingIngest.js";
import type { CommitChanges } from "../transaction/changes.js";
import { zeroValue } from "../values/convert.js";

/**
 * Gives properties added to the schema since an object was stored their default (or Realm's
 * zero value), and drops values of properties no longer in the schema.
 */
export function fillMissing(cls: ClassInfo, values: Record<string, unknown>): void {
  for (const prop of cls.storedProps()) {
    if (prop.key in values) continue;
    if (prop.collection === "dictionary") values[prop.key] = {};
    else if (prop.collection) values[prop.key] = [];
    else if (prop.schema.default !== undefined && prop.element !== "object")
      values[prop.key] = defaultFor(prop);
    else values[prop.key] = prop.optional ? null : zeroValue(prop.element);
  }
}

export class Database {
  readonly classes: Map<string, ClassInfo>;
  private currentSchema: readonly CanonicalObjectSchema[];
  readonly rowsByKey = new Map<number, ObjectRow>();
  /** Stored objects of types not in the current schema: left untouched in the file. */
  readonly foreignObjects: StoredObject[] = [];
  nextKey = 1;
  /** Bumped on every mutation, so cached query results know when to re-evaluate. */
  version = 0;
  /** While a migration runs, primary keys may change and may collide until it ends. */
  migrating = false;
  /** Every realm instance open on this database, to notify after commits. */
  readonly contexts = new Set<{ onCommit(changes: CommitChanges): void }>();
  /** Told the upload-log version of each committed local changeset (the sync layer uploads it). */
  readonly changesetListeners = new Set<(version: number) => void>();
  /** The server version a new local changeset is based on (the sync layer's download cursor). */
  changesetBase: () => number = () => 0;
  /** The asymmetric (data ingest) types of the schema. */
  readonly asymmetricTypes: ReadonlySet<string>;
  /** Which pending changesets hold ingested objects (the only place the device keeps them). */
  readonly pendingIngest: PendingIngest;

  constructor(
    readonly store: LocalStore,
    schema: readonly CanonicalObjectSchema[],
    /** Record every commit as a changeset in the upload log (only for synced realms). */
    readonly recordChangesets: boolean,
  ) {
    this.currentSchema = schema;
    this.classes = buildClasses(schema);
    this.asymmetricTypes = new Set(schema.filter((s) => s.asymmetric).map((s) => s.name));
    this.pendingIngest = new PendingIngest(store, this.asymmetricTypes);
  }

  /** The schema the realm has: the one it was opened with, less the types `deleteModel` removed. */
  get schema(): readonly CanonicalObjectSchema[] {
    return this.currentSchema;
  }

  /**
   * Takes a type, which must hold no objects any more, out of the schema; returns what puts it
   * back (a rollback).
   */
  removeType(name: string): () => void {
    const schema = this.currentSchema;
    const classes = [...this.classes];
    this.currentSchema = schema.filter((type) => type.name !== name);
    this.classes.delete(name);
    return () => {
      this.currentSchema = schema;
      this.classes.clear();
      for (const [key, cls] of classes) this.classes.set(key, cls);
    };
  }

  /**
   * Takes the stored objects of `className`, a type not in the schema, out of
   * `foreignObjects`, with the embedded objects they hold; returns them.
   */
  takeForeign(className: string): StoredObject[] {
    const doomed = new Set<number>();
    for (const object of this.foreignObjects)
      if (object.className === className) doomed.add(object.key);
    for (let grew = doomed.size > 0; grew;) {
      grew = false;
      for (const object of this.foreignObjects) {
        if (doomed.has(object.key) || !doomed.has(object.owner)) continue;
        doomed.add(object.key);
        grew = true;
      }
    }
    const taken = this.foreignObjects.filter((object) => doomed.has(object.key));
    const kept = this.foreignObjects.filter((object) => !doomed.has(object.key));
    this.foreignObjects.splice(0, this.foreignObjects.length, ...kept);
    return taken;
  }

  /** Loads every stored object; objects of unknown types are kept aside, untouched. */
  load(objects: Iterable<StoredObject>): void {
    for (const object of objects) {
      if (object.key >= this.nextKey) this.nextKey = object.key + 1;
      const cls = this.classes.get(object.className);
      if (!cls) {
        this.foreignObjects.push(object);
        continue;
      }
      const values = decodeValues(object.data);
      fillMissing(cls, values);
      this.addRow({
        key: object.key,
        cls,
        values,
        alive: true,
        owner: object.owner,
        accessor: undefined,
      });
    }
  }

  addRow(row: ObjectRow): void {
    row.alive = true;
    row.cls.rows.set(row.key, row);
    this.rowsByKey.set(row.key, row);
    const pk = row.cls.pk;
    if (pk) row.cls.pkIndex.set(pkIndexKey(row.values[pk.key]), row);
    for (const index of row.cls.indexes.values()) index.add(row);
  }

  removeRow(row: ObjectRow): void {
    row.alive = false;
    row.cls.rows.delete(row.key);
    this.rowsByKey.delete(row.key);
    const pk = row.cls.pk;
    if (pk && row.cls.pkIndex.get(pkIndexKey(row.values[pk.key])) === row) {
      row.cls.pkIndex.delete(pkIndexKey(row.values[pk.key]));
    }
    for (const index of row.cls.indexes.values()) index.remove(row);
  }

  /**
   * Asymmetric objects are never kept as objects (see PendingIngest): removes those among `rows`,
   * with the embedded objects they hold, and returns what it removed. `rows` is read through
   * before anything is removed, so it may be a live view of this database's rows.
   */
  dropIngested(rows: Iterable<ObjectRow>): ObjectRow[] {
    if (this.asymmetricTypes.size === 0) return [];
    const dropped: ObjectRow[] = [];
    for (const row of rows) if (row.alive && this.topLevel(row).cls.asymmetric) dropped.push(row);
    for (const row of dropped) this.removeRow(row);
    return dropped;
  }

  /** The top-level object an embedded object lies in (itself for a top-level one). */
  private topLevel(row: ObjectRow): ObjectRow {
    let current = row;
    while (current.cls.embedded) {
      const owner = this.rowsByKey.get(current.owner);
      if (!owner) break;
      current = owner;
    }
    return current;
  }

  /** Sets a stored value, keeping the property's index (if any) in step. */
  setValue(row: ObjectRow, propKey: string, value: unknown): void {
    const index = row.alive ? row.cls.indexes.get(propKey) : undefined;
    index?.remove(row);
    row.values[propKey] = value;
    index?.add(row);
  }

  /** Replaces all values of a live row whose primary key stays the same, keeping indexes in step. */
  replaceValues(row: ObjectRow, values: Record<string, Stored>): void {
    for (const index of row.cls.indexes.values()) index.remove(row);
    row.values = values;
    for (const index of row.cls.indexes.values()) index.add(row);
  }

  /** Rebuilds the indexes of a class; returns a duplicated value if there is one. */
  rebuildPrimaryKeyIndex(cls: ClassInfo): { duplicate: unknown } | undefined {
    for (const index of cls.indexes.values()) {
      index.clear();
      for (const row of cls.rows.values()) index.add(row);
    }
    cls.pkIndex.clear();
    const pk = cls.pk;
    if (!pk) return undefined;
    for (const row of cls.rows.values()) {
      const key = pkIndexKey(row.values[pk.key]);
      if (cls.pkIndex.has(key)) return { duplicate: row.values[pk.key] };
      cls.pkIndex.set(key, row);
    }
    return undefined;
  }

  findByPrimaryKey(cls: ClassInfo, value: unknown): ObjectRow | undefined {
    return cls.pkIndex.get(pkIndexKey(value));
  }

  liveRow(key: number): ObjectRow | undefined {
    return this.rowsByKey.get(key);
  }

  /** Tells the changeset listeners; one listener's failure reaches neither the writer nor the others. */
  changesetCommitted(version: number): void {
    for (const listener of this.changesetListeners) {
      try {
        listener(version);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Re-sorts a class's rows by key after a rollback restored deleted rows out of order. */
  reorder(cls: ClassInfo): void {
    const rows = [...cls.rows.values()].sort((a, b) => a.key - b.key);
    cls.rows.clear();
    for (const row of rows) cls.rows.set(row.key, row);
  }
}

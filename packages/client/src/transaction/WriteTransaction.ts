/**
 * One write transaction over a Database: before-images of every touched object for rollback,
 * the changes listeners will be told about, and (for synced realms) the changeset instructions.
 * Commit hands the touched objects, and the changeset, to the store as one atomic batch.
 */
import { copyStored } from "../values/nested.js";
import type { Instruction } from "@atoll/protocol";
import type { Database } from "../core/Database.js";
import { encodeRow } from "../core/rowCodec.js";
import { locateInOwner } from "../core/paths.js";
import type { ClassInfo, ObjectRow, Stored } from "../schema/ClassInfo.js";
import type { CommitBatch, StoredSchemaState } from "../store/LocalStore.js";
import { storedEquals } from "../values/convert.js";
import type { CommitChanges } from "./changes.js";
import { encodeLocalChangeset } from "./encodeLocalChangeset.js";
import { encodeUndo } from "./undoImages.js";
import type { BeforeImage } from "./undoImages.js";

export interface TransactionOptions {
  /** Record changeset instructions (default: when the database records changesets). */
  readonly record?: boolean;
  /**
   * Report only net changes: a property counts as modified when its value at commit differs
   * from its value at the start (a rebase changes values and changes them back).
   */
  readonly netChanges?: boolean;
}

function sameStored(a: Stored, b: Stored): boolean {
  if (storedEquals(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => storedEquals(item, b[i]));
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  const left = Object.entries(a);
  if (left.length !== Object.keys(b).length) return false;
  return left.every(([key, value]) => storedEquals(value, (b as Record<string, Stored>)[key]));
}

function imageOf(row: ObjectRow): BeforeImage {
  return { values: copyValues(row.values), alive: row.alive, owner: row.owner };
}

/** A copy of a row's values that shares no mutable collection with them, at any depth. */
export function copyValues(values: Record<string, Stored>): Record<string, Stored> {
  const copy: Record<string, Stored> = {};
  for (const [key, value] of Object.entries(values)) copy[key] = copyStored(value);
  return copy;
}

export class WriteTransaction {
  /** null: the object was created in this transaction. */
  private readonly before = new Map<ObjectRow, BeforeImage | null>();
  private readonly modified = new Map<ObjectRow, Set<string>>();
  readonly instructions: Instruction[] | undefined;
  schemaState: StoredSchemaState | undefined;
  private readonly netChanges: boolean;
  /** Before-images taken since `startCapture` (a rebase keeps one set per redone changeset). */
  private capture: Map<ObjectRow, BeforeImage | null> | undefined;

  constructor(
    private readonly db: Database,
    options: TransactionOptions = {},
  ) {
    this.instructions = (options.record ?? db.recordChangesets) ? [] : undefined;
    this.netChanges = options.netChanges === true;
  }

  private endListeners: (() => void)[] = [];
  /** Undoes what the transaction changed besides rows (schema, objects of removed types), newest first. */
  private readonly rollbackSteps: (() => void)[] = [];
  /** Stored objects of types no longer in the schema that the commit deletes. */
  private readonly foreignDeletes: number[] = [];
  private schemaChanged = false;

  /**
   * Records a change of the realm's schema (the database already has the new one): it is
   * written with the commit, and `undo` restores the old one on rollback.
   */
  changeSchema(schemaState: StoredSchemaState, undo: () => void): void {
    this.schemaState = schemaState;
    this.schemaChanged = true;
    this.rollbackSteps.push(undo);
  }

  /** Deletes, at commit, the stored objects of a type that is not in the schema. */
  deleteForeign(className: string): void {
    const taken = this.db.takeForeign(className);
    this.foreignDeletes.push(...taken.map((object) => object.key));
    this.rollbackSteps.push(() => this.db.foreignObjects.push(...taken));
  }

  /** Runs `listener` once the transaction is committed or rolled back. */
  onEnd(listener: () => void): void {
    this.endListeners.push(listener);
  }

  private ended(): void {
    const listeners = this.endListeners;
    this.endListeners = [];
    for (const listener of listeners) listener();
  }

  /** Every row this transaction changed, created or removed. */
  touchedRows(): Iterable<ObjectRow> {
    return this.before.keys();
  }

  /** Starts collecting before-images of the rows changed from now on, apart from the transaction's own. */
  startCapture(): void {
    this.capture = new Map();
  }

  /** Ends the capture started last; returns what undoes the changes made since. */
  endCapture(): Uint8Array {
    const images = this.capture ?? new Map<ObjectRow, BeforeImage | null>();
    this.capture = undefined;
    return encodeUndo(images);
  }

  /** Takes the before-image of a row on its first change in this transaction. */
  touch(row: ObjectRow): void {
    if (this.capture && !this.capture.has(row)) this.capture.set(row, imageOf(row));
    if (this.before.has(row)) return;
    this.before.set(row, imageOf(row));
  }

  /** A new row, or (in a rebase) a row that was removed earlier in this transaction coming back. */
  created(row: ObjectRow): void {
    if (this.capture && !this.capture.has(row)) this.capture.set(row, null);
    if (!this.before.has(row)) this.before.set(row, null);
    this.db.addRow(row);
    this.db.version++;
  }

  /**
   * Puts a row back as an undo image has it: values and owner, or removed (null values). A row
   * that comes back to life is appended to its class's rows: the caller re-sorts the class.
   */
  restore(row: ObjectRow, values: Record<string, Stored> | null, owner: number): void {
    this.touch(row);
    this.db.version++;
    if (values === null) {
      if (row.alive) this.db.removeRow(row);
      return;
    }
    row.owner = owner;
    if (row.alive) {
      this.db.replaceValues(row, values);
      return;
    }
    row.values = values;
    this.db.addRow(row);
  }

  modifiedProperty(row: ObjectRow, propertyName: string): void {
    this.db.version++;
    if (this.capture && !this.capture.has(row)) this.capture.set(row, imageOf(row));
    const image = this.before.get(row);
    if (image === null) return; // created in this transaction: reported as an insertion
    if (image === undefined) this.touch(row);
    let names = this.modified.get(row);
    if (!names) this.modified.set(row, (names = new Set()));
    names.add(propertyName);
  }

  deleted(row: ObjectRow): void {
    this.touch(row);
    this.db.removeRow(row);
    this.db.version++;
  }

  emit(instruction: Instruction): void {
    this.instructions?.push(instruction);
  }

  /**
   * Persists atomically (with `extra`, e.g. sync metadata), then reports what changed. On a
   * store failure the transaction is rolled back. A recorded changeset goes to the upload log
   * with what undoes it, and the database's changeset listeners hear of it.
   */
  commit(extra: Omit<CommitBatch, "upserts" | "deletes"> = {}): CommitChanges {
    // Ingested objects travel in the changeset only (see PendingIngest): their rows go now.
    const ingested = this.db.dropIngested(this.before.keys()).length > 0;
    const upserts = [];
    const deletes: number[] = [];
    for (const [row, image] of this.before) {
      if (row.alive) upserts.push(encodeRow(row));
      else if (image !== null) deletes.push(row.key);
    }
    deletes.push(...this.foreignDeletes);
    const instructions = this.instructions;
    let appended: number | undefined;
    try {
      appended = this.db.store.commit({
        upserts,
        deletes,
        ...(this.schemaState ? { schemaState: this.schemaState } : {}),
        ...(instructions && instructions.length > 0
          ? {
              changeset: encodeLocalChangeset(instructions),
              changesetUndo: encodeUndo(this.before),
              changesetBaseServerVersion: this.db.changesetBase(),
            }
          : {}),
        ...extra,
      });
    } catch (error) {
      this.rollback();
      throw error;
    }
    if (extra.trimUploadLogThrough !== undefined)
      this.db.pendingIngest.trimmed(extra.trimUploadLogThrough);
    if (appended !== undefined) {
      if (ingested) this.db.pendingIngest.appended(appended);
      this.db.changesetCommitted(appended);
    }
    const changes = this.changes();
    this.ended();
    return changes;
  }

  private changes(): CommitChanges {
    const inserted = new Set<ObjectRow>();
    const deleted = new Set<ObjectRow>();
    for (const [row, image] of this.before) {
      if (image === null && row.alive) inserted.add(row);
      else if (image !== null && image.alive && !row.alive) deleted.add(row);
    }
    if (this.netChanges) this.diffModified();
    const modified = new Map<ObjectRow, Set<string>>();
    const mark = (row: ObjectRow, name: string): void => {
      if (inserted.has(row) || !row.alive) return;
      let names = modified.get(row);
      if (!names) modified.set(row, (names = new Set()));
      names.add(name);
    };
    for (const [row, names] of this.modified) {
      for (const name of names) mark(row, name);
      // A change inside an embedded object is a change of the property that holds it.
      let current = row;
      while (current.cls.embedded) {
        const location = locateInOwner(this.db, current);
        if (!location) break;
        const holder = location.owner.cls.props.find((p) => p.key === location.path[0]);
        if (holder) mark(location.owner, holder.name);
        current = location.owner;
      }
    }
    return {
      inserted,
      deleted,
      modified,
      ...(this.schemaChanged ? { schema: this.db.schema } : {}),
    };
  }

  /** Net mode: replaces the recorded property changes by the differences from the before-images. */
  private diffModified(): void {
    this.modified.clear();
    for (const [row, image] of this.before) {
      if (image === null || !image.alive || !row.alive) continue;
      for (const prop of row.cls.storedProps()) {
        if (sameStored(image.values[prop.key], row.values[prop.key])) continue;
        let names = this.modified.get(row);
        if (!names) this.modified.set(row, (names = new Set()));
        names.add(prop.name);
      }
    }
  }

  rollback(): void {
    for (const step of this.rollbackSteps.splice(0).reverse()) step();
    const reorder = new Set<ClassInfo>();
    for (const [row, image] of this.before) {
      if (row.alive) this.db.removeRow(row);
      if (image === null) continue;
      row.values = image.values;
      row.owner = image.owner;
      if (image.alive) {
        this.db.addRow(row);
        reorder.add(row.cls);
      }
    }
    for (const cls of reorder) this.db.reorder(cls);
    this.db.version++;
    this.ended();
  }
}

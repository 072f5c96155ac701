/**
 * One write transaction over a Database: before-images of every touched object for rollback,
 * the changes listeners will be told about, and (for synced realms) the changeset instructions.
 * Commit hands the touched objects, and the changeset, to the store as one atomic batch.
 */
import { encodeChangeset } from "@atoll/protocol";
import type { Instruction } from "@atoll/protocol";
import type { Database } from "../core/Database.js";
import { encodeRow } from "../core/rowCodec.js";
import { locateInOwner } from "../core/paths.js";
import type { ClassInfo, ObjectRow, Stored } from "../schema/ClassInfo.js";
import type { StoredSchemaState } from "../store/LocalStore.js";
import type { CommitChanges } from "./changes.js";

interface BeforeImage {
  readonly values: Record<string, Stored>;
  readonly alive: boolean;
  readonly owner: number;
}

function copyValues(values: Record<string, Stored>): Record<string, Stored> {
  const copy: Record<string, Stored> = {};
  for (const [key, value] of Object.entries(values)) {
    if (Array.isArray(value)) copy[key] = value.slice();
    else if (
      value !== null &&
      typeof value === "object" &&
      Object.getPrototypeOf(value) === Object.prototype
    ) {
      copy[key] = { ...value };
    } else copy[key] = value;
  }
  return copy;
}

export class WriteTransaction {
  /** null: the object was created in this transaction. */
  private readonly before = new Map<ObjectRow, BeforeImage | null>();
  private readonly modified = new Map<ObjectRow, Set<string>>();
  readonly instructions: Instruction[] | undefined;
  schemaState: StoredSchemaState | undefined;

  constructor(private readonly db: Database) {
    this.instructions = db.recordChangesets ? [] : undefined;
  }

  /** Takes the before-image of a row on its first change in this transaction. */
  touch(row: ObjectRow): void {
    if (this.before.has(row)) return;
    this.before.set(row, { values: copyValues(row.values), alive: row.alive, owner: row.owner });
  }

  created(row: ObjectRow): void {
    this.before.set(row, null);
    this.db.addRow(row);
    this.db.version++;
  }

  modifiedProperty(row: ObjectRow, propertyName: string): void {
    this.db.version++;
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

  /** Persists atomically, then reports what changed. On a store failure the transaction is rolled back. */
  commit(): CommitChanges {
    const upserts = [];
    const deletes: number[] = [];
    for (const [row, image] of this.before) {
      if (row.alive) upserts.push(encodeRow(row));
      else if (image !== null) deletes.push(row.key);
    }
    const instructions = this.instructions;
    try {
      this.db.store.commit({
        upserts,
        deletes,
        ...(this.schemaState ? { schemaState: this.schemaState } : {}),
        ...(instructions && instructions.length > 0
          ? { changeset: encodeChangeset(instructions) }
          : {}),
      });
    } catch (error) {
      this.rollback();
      throw error;
    }
    return this.changes();
  }

  private changes(): CommitChanges {
    const inserted = new Set<ObjectRow>();
    const deleted = new Set<ObjectRow>();
    for (const [row, image] of this.before) {
      if (image === null && row.alive) inserted.add(row);
      else if (image !== null && image.alive && !row.alive) deleted.add(row);
    }
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
    return { inserted, deleted, modified };
  }

  rollback(): void {
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
  }
}

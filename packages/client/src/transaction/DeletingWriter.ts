/**
 * Deleting objects: embedded objects go with their owner, links to a deleted object become
 * null (in mixed values too, at any depth) and lists drop it. Only the top-level erase is an instruction; receivers clean up links
 * themselves, as in realm-core.
 */
import { errors } from "../errors.js";
import { addressOf } from "../core/paths.js";
import type { ClassInfo, ObjectRow, PropInfo, Stored } from "../schema/ClassInfo.js";
import { dropLinksTo, isStoredLink, linksTo } from "../values/nested.js";
import { CollectionWriter } from "./CollectionWriter.js";

export abstract class DeletingWriter extends CollectionWriter {
  delete(row: ObjectRow): void {
    if (!row.alive) throw errors.invalidated(row.cls.name);
    if (row.cls.embedded) {
      this.detachEmbedded(row);
      return;
    }
    const { table, pk } = addressOf(this.db, row);
    this.txn.emit({ type: "EraseObject", table, pk });
    this.removeWithDependents(row);
  }

  private detachEmbedded(row: ObjectRow): void {
    const owner = this.db.rowsByKey.get(row.owner);
    const holder = owner?.cls.props.find(
      (p) => p.target === row.cls && this.holds(owner, p, row.key),
    );
    if (!owner || !holder) {
      this.removeWithDependents(row);
      return;
    }
    const value = owner.values[holder.key];
    if (value === row.key) this.assignLink(owner, holder, null);
    else if (Array.isArray(value)) this.listRemove(owner, holder, value.indexOf(row.key));
    else {
      const entry = Object.entries(value as object).find(([, v]) => v === row.key);
      if (entry) this.dictionaryRemove(owner, holder, entry[0]);
    }
  }

  private holds(owner: ObjectRow, prop: PropInfo, key: number): boolean {
    const value = owner.values[prop.key];
    if (value === key) return true;
    if (Array.isArray(value)) return value.includes(key);
    return value !== null && typeof value === "object" && Object.values(value).includes(key);
  }

  deleteEmbedded(key: number): void {
    const child = this.db.rowsByKey.get(key);
    if (child) this.removeWithDependents(child);
  }

  /** Removes an object, the embedded objects it owns, and every link to it (lists shrink, links become null). */
  private removeWithDependents(row: ObjectRow): void {
    for (const prop of row.cls.props) {
      if (!prop.target?.embedded) continue;
      const value = row.values[prop.key];
      const keys = Array.isArray(value)
        ? value
        : value !== null && typeof value === "object"
          ? Object.values(value)
          : [value];
      for (const key of keys) if (typeof key === "number") this.deleteEmbedded(key);
    }
    this.txn.deleted(row);
    if (row.cls.embedded) return;
    for (const { cls, prop } of row.cls.incoming) this.unlinkAll(cls, prop, row.key);
    this.unlinkFromMixed(row.key);
  }

  private unlinkFromMixed(key: number): void {
    for (const cls of this.db.classes.values()) {
      const mixed = cls.storedProps().filter((prop) => prop.element === "mixed");
      if (mixed.length === 0) continue;
      for (const origin of cls.rows.values()) {
        for (const prop of mixed) {
          const value = origin.values[prop.key];
          if (!linksTo(value, key)) continue;
          this.txn.modifiedProperty(origin, prop.name); // before the change: the undo image
          if (isStoredLink(value)) origin.values[prop.key] = null;
          else dropLinksTo(value, key);
        }
      }
    }
  }

  private unlinkAll(cls: ClassInfo, prop: PropInfo, key: number): void {
    for (const origin of cls.rows.values()) {
      const value = origin.values[prop.key];
      if (value === key) {
        this.txn.modifiedProperty(origin, prop.name);
        origin.values[prop.key] = null;
      } else if (Array.isArray(value) && value.includes(key)) {
        this.txn.modifiedProperty(origin, prop.name);
        origin.values[prop.key] = value.filter((k) => k !== key);
      } else if (prop.collection === "dictionary" && value !== null && typeof value === "object") {
        const dictionary = value as Record<string, Stored>;
        for (const [name, item] of Object.entries(dictionary)) {
          if (item !== key) continue;
          this.txn.modifiedProperty(origin, prop.name);
          dictionary[name] = null;
        }
      }
    }
  }
}

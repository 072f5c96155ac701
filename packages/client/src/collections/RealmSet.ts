/** `Realm.Set`: a live set property, kept in insertion order. */
import type { RealmContext } from "../core/RealmContext.js";
import type { ObjectRow, PropInfo } from "../schema/ClassInfo.js";
import { PropertyCollection } from "./PropertyCollection.js";
import { elementId } from "./elements.js";

export class RealmSet<T = unknown> extends PropertyCollection<T> {
  readonly uniqueIds = true;
  constructor(context: RealmContext, row: ObjectRow, prop: PropInfo) {
    super(context, row, prop, "set");
  }

  get size(): number {
    return this.stored().length;
  }

  add(value: unknown): this {
    this.context.writer().setAdd(this.row, this.prop, value);
    return this;
  }

  delete(value: unknown): boolean {
    return this.context.writer().setDelete(this.row, this.prop, value);
  }

  clear(): void {
    this.context.writer().clearCollection(this.row, this.prop);
  }

  has(value: unknown): boolean {
    if (this.prop.element === "object") return this.items().includes(value as T);
    const id = elementId(
      this.context,
      this.prop,
      value instanceof ArrayBuffer ? new Uint8Array(value) : value,
    );
    return this.snapshotIds().includes(id);
  }
}

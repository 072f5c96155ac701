/** `Realm.List`: a live list property. Reads go to the row; writes go through the writer. */
import type { RealmContext } from "../core/RealmContext.js";
import type { ObjectRow, PropInfo } from "../schema/ClassInfo.js";
import { PropertyCollection } from "./PropertyCollection.js";
import { elementId } from "./elements.js";
import type { NestedPath } from "../values/nested.js";

export class List<T = unknown> extends PropertyCollection<T> {
  readonly uniqueIds = false;
  constructor(context: RealmContext, row: ObjectRow, prop: PropInfo, path: NestedPath = []) {
    super(context, row, prop, "list", path);
  }

  override get length(): number {
    return this.stored().length;
  }

  override get(index: number): T {
    const stored = this.stored();
    return (index < stored.length ? this.read(stored[index], index) : undefined) as T;
  }

  override set(index: number, value: unknown): void {
    this.context.writer().listSet(this.row, this.prop, index, value, this.path);
  }

  override indexOf(value: T): number {
    if (this.prop.element === "object") return this.items().indexOf(value);
    const probe = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
    return this.snapshotIds().indexOf(elementId(this.context, this.prop, probe));
  }

  push(...items: unknown[]): number {
    const writer = this.context.writer();
    for (const item of items)
      writer.listInsert(this.row, this.prop, this.stored().length, item, this.path);
    return this.stored().length;
  }

  unshift(...items: unknown[]): number {
    const writer = this.context.writer();
    items.forEach((item, i) => writer.listInsert(this.row, this.prop, i, item, this.path));
    return this.stored().length;
  }

  pop(): T | undefined {
    const writer = this.context.writer();
    const length = this.stored().length;
    if (length === 0) return undefined;
    const last = this.get(length - 1);
    writer.listRemove(this.row, this.prop, length - 1, this.path);
    return last;
  }

  shift(): T | undefined {
    const writer = this.context.writer();
    if (this.stored().length === 0) return undefined;
    const first = this.get(0);
    writer.listRemove(this.row, this.prop, 0, this.path);
    return first;
  }

  splice(start: number, deleteCount?: number, ...items: unknown[]): T[] {
    const writer = this.context.writer();
    const length = this.stored().length;
    const from = start < 0 ? Math.max(length + start, 0) : Math.min(start, length);
    const count = Math.max(0, Math.min(deleteCount ?? length - from, length - from));
    const removed: T[] = [];
    for (let i = 0; i < count; i++) {
      removed.push(this.get(from));
      writer.listRemove(this.row, this.prop, from, this.path);
    }
    items.forEach((item, i) => writer.listInsert(this.row, this.prop, from + i, item, this.path));
    return removed;
  }

  insert(index: number, value: unknown): void {
    this.context.writer().listInsert(this.row, this.prop, index, value, this.path);
  }
  remove(index: number): void {
    this.context.writer().listRemove(this.row, this.prop, index, this.path);
  }
  move(from: number, to: number): void {
    this.context.writer().listMove(this.row, this.prop, from, to, this.path);
  }
  swap(index1: number, index2: number): void {
    const writer = this.context.writer();
    const [low, high] = index1 < index2 ? [index1, index2] : [index2, index1];
    if (low === high) return;
    writer.listMove(this.row, this.prop, low, high, this.path);
    writer.listMove(this.row, this.prop, high - 1, low, this.path);
  }
}

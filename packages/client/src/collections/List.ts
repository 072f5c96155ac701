/** `Realm.List`: a live list property. Reads go to the row; writes go through the writer. */
import type { RealmContext } from "../core/RealmContext.js";
import { errors } from "../errors.js";
import type { ClassInfo, ObjectRow, PropInfo, Stored } from "../schema/ClassInfo.js";
import { OrderedCollection } from "./OrderedCollection.js";
import { Results } from "./Results.js";
import { elementId, readElement } from "./elements.js";

export class List<T = unknown> extends OrderedCollection<T> {
  readonly uniqueIds = false;
  readonly identity: string;

  constructor(
    context: RealmContext,
    private readonly row: ObjectRow,
    private readonly prop: PropInfo,
  ) {
    super(context);
    this.identity = `list:${row.key}:${prop.key}`;
  }

  get type(): string {
    return this.prop.element;
  }
  get optional(): boolean {
    return this.prop.optional;
  }

  private stored(): Stored[] {
    if (!this.row.alive) throw errors.invalidated(this.row.cls.name);
    this.context.checkOpen();
    return this.row.values[this.prop.key] as Stored[];
  }

  isValid(): boolean {
    return this.row.alive && !this.context.isClosed;
  }

  protected items(): T[] {
    return this.stored().map((s) => readElement(this.context, this.prop, s) as T);
  }

  override get length(): number {
    return this.stored().length;
  }

  override get(index: number): T {
    const stored = this.stored();
    return (
      index < stored.length ? readElement(this.context, this.prop, stored[index]) : undefined
    ) as T;
  }

  override set(index: number, value: unknown): void {
    this.context.writer().listSet(this.row, this.prop, index, value);
  }

  protected objectClass(): ClassInfo | undefined {
    return this.prop.element === "object" ? this.prop.target : undefined;
  }

  protected objectRows(): ObjectRow[] | undefined {
    if (this.prop.element !== "object") return undefined;
    return this.stored()
      .map((key) => this.context.db.rowsByKey.get(key as number))
      .filter((r): r is ObjectRow => !!r);
  }

  snapshotIds(): unknown[] {
    if (!this.row.alive) return [];
    return this.stored().map((s) => elementId(this.context, this.prop, s));
  }

  override indexOf(value: T): number {
    if (this.prop.element === "object") return this.items().indexOf(value);
    const probe = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
    return this.snapshotIds().indexOf(elementId(this.context, this.prop, probe));
  }

  push(...items: unknown[]): number {
    const writer = this.context.writer();
    for (const item of items) writer.listInsert(this.row, this.prop, this.stored().length, item);
    return this.stored().length;
  }

  unshift(...items: unknown[]): number {
    const writer = this.context.writer();
    items.forEach((item, i) => writer.listInsert(this.row, this.prop, i, item));
    return this.stored().length;
  }

  pop(): T | undefined {
    const writer = this.context.writer();
    const length = this.stored().length;
    if (length === 0) return undefined;
    const last = this.get(length - 1);
    writer.listRemove(this.row, this.prop, length - 1);
    return last;
  }

  shift(): T | undefined {
    const writer = this.context.writer();
    if (this.stored().length === 0) return undefined;
    const first = this.get(0);
    writer.listRemove(this.row, this.prop, 0);
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
      writer.listRemove(this.row, this.prop, from);
    }
    items.forEach((item, i) => writer.listInsert(this.row, this.prop, from + i, item));
    return removed;
  }

  insert(index: number, value: unknown): void {
    this.context.writer().listInsert(this.row, this.prop, index, value);
  }
  remove(index: number): void {
    this.context.writer().listRemove(this.row, this.prop, index);
  }
  move(from: number, to: number): void {
    this.context.writer().listMove(this.row, this.prop, from, to);
  }
  swap(index1: number, index2: number): void {
    const writer = this.context.writer();
    const [low, high] = index1 < index2 ? [index1, index2] : [index2, index1];
    if (low === high) return;
    writer.listMove(this.row, this.prop, low, high);
    writer.listMove(this.row, this.prop, high - 1, low);
  }

  filtered(query: string, ...args: unknown[]): Results<T> {
    return this.asResults().filtered(query, ...args);
  }

  sorted(descriptor?: unknown, reverse?: boolean): Results<T> {
    return this.asResults().sorted(descriptor, reverse);
  }

  private asResults(): Results<T> {
    const target = this.objectClass();
    if (!target)
      throw errors.invalidArgument(
        `Only lists of objects can be queried, not '${this.row.cls.name}.${this.prop.name}'`,
      );
    return new Results<T>(this.context, target, () => this.objectRows() ?? []);
  }
}

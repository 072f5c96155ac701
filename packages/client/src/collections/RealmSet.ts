/** `Realm.Set`: a live set property, kept in insertion order. */
import type { RealmContext } from "../core/RealmContext.js";
import { errors } from "../errors.js";
import type { ClassInfo, ObjectRow, PropInfo, Stored } from "../schema/ClassInfo.js";
import { OrderedCollection } from "./OrderedCollection.js";
import { Results } from "./Results.js";
import { elementId, readElement } from "./elements.js";

export class RealmSet<T = unknown> extends OrderedCollection<T> {
  readonly uniqueIds = true;
  readonly identity: string;

  constructor(
    context: RealmContext,
    private readonly row: ObjectRow,
    private readonly prop: PropInfo,
  ) {
    super(context);
    this.identity = `set:${row.key}:${prop.key}`;
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

  get size(): number {
    return this.stored().length;
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
        `Only sets of objects can be queried, not '${this.row.cls.name}.${this.prop.name}'`,
      );
    return new Results<T>(this.context, target, () => this.objectRows() ?? []);
  }
}

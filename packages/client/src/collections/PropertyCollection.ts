/**
 * What a list and a set property share: both live on one property of one object row, read
 * their elements from the row, and can be queried when they hold objects.
 */
import type { RealmContext } from "../core/RealmContext.js";
import { errors } from "../errors.js";
import type { ClassInfo, ObjectRow, PropInfo, Stored } from "../schema/ClassInfo.js";
import { OrderedCollection } from "./OrderedCollection.js";
import { Results } from "./Results.js";
import { elementId, readElement } from "./elements.js";
import { COLLECTION_KIND } from "../objects/symbols.js";
import { isStoredList, valueAt } from "../values/nested.js";
import type { NestedPath } from "../values/nested.js";

export abstract class PropertyCollection<T = unknown> extends OrderedCollection<T> {
  readonly identity: string;
  readonly [COLLECTION_KIND]: "list" | "set";

  /** `path` leads to a list nested in a mixed value; [] is the property's own collection. */
  constructor(
    context: RealmContext,
    protected readonly row: ObjectRow,
    protected readonly prop: PropInfo,
    private readonly kind: "list" | "set",
    protected readonly path: NestedPath = [],
  ) {
    super(context);
    this[COLLECTION_KIND] = kind;
    this.identity = `${kind}:${row.key}:${prop.key}${path.length ? `:${JSON.stringify(path)}` : ""}`;
  }

  get type(): string {
    return this.prop.element;
  }
  get optional(): boolean {
    return this.prop.optional;
  }

  protected stored(): Stored[] {
    if (!this.row.alive) throw errors.invalidated(this.row.cls.name);
    this.context.checkOpen();
    const stored = valueAt(this.row.values[this.prop.key], this.path);
    if (!isStoredList(stored)) throw errors.invalidated(this.row.cls.name);
    return stored;
  }

  isValid(): boolean {
    return (
      this.row.alive &&
      !this.context.isClosed &&
      isStoredList(valueAt(this.row.values[this.prop.key], this.path))
    );
  }

  protected items(): T[] {
    return this.stored().map((s, index) => this.read(s, index) as T);
  }

  /** What user code sees for the element stored at `index`. */
  protected read(stored: Stored, _index: number): unknown {
    return readElement(this.context, this.prop, stored);
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
    if (!this.isValid()) return [];
    return this.stored().map((s) => elementId(this.context, this.prop, s));
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
        `Only ${this.kind}s of objects can be queried, not '${this.row.cls.name}.${this.prop.name}'`,
      );
    return new Results<T>(this.context, target, () => this.objectRows() ?? []);
  }
}

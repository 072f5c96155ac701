/**
 * What Results, List and Set share: array-like reading (index, iteration, array methods),
 * aggregates, queries and listeners. Subclasses say how to list their items.
 */
import type { RealmContext } from "../core/RealmContext.js";
import type { ClassInfo, ObjectRow } from "../schema/ClassInfo.js";
import { errors } from "../errors.js";
import type { CollectionChangeCallback, Observable } from "../listeners/ChangeNotifier.js";
import type { CollectionChangeSet } from "../listeners/diff.js";
import { aggregate } from "./aggregates.js";
import type { AggregateName } from "./aggregates.js";
import { toJSONValue } from "../objects/toJSON.js";
import type { JSONCache } from "../objects/toJSON.js";
import type { Indexable } from "./indexProxy.js";
import { withIndexAccess } from "./indexProxy.js";

export type { CollectionChangeSet };

const NUMERIC: ReadonlySet<string> = new Set(["int", "float", "double", "decimal128", "object"]);

export abstract class OrderedCollection<T = unknown> implements Indexable, Observable {
  readonly [index: number]: T;
  readonly publicHandle: this;

  protected constructor(protected readonly context: RealmContext) {
    this.publicHandle = withIndexAccess(this);
    return this.publicHandle;
  }

  /** The current items as user code sees them. */
  protected abstract items(): T[];
  /** The rows behind the items when they are objects (for queries), else undefined. */
  protected abstract objectRows(): ObjectRow[] | undefined;
  protected abstract objectClass(): ClassInfo | undefined;
  abstract isValid(): boolean;
  abstract snapshotIds(): unknown[];
  abstract readonly uniqueIds: boolean;
  abstract readonly identity: unknown;
  abstract readonly type: string;
  abstract readonly optional: boolean;

  get length(): number {
    return this.items().length;
  }

  get(index: number): T {
    return this.items()[index] as T;
  }

  set(index: number, _value: unknown): void {
    throw errors.invalidArgument(`Cannot assign to index ${index} of a read-only collection`);
  }

  isEmpty(): boolean {
    return this.length === 0;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.items()[Symbol.iterator]();
  }
  values(): IterableIterator<T> {
    return this.items().values();
  }
  keys(): IterableIterator<number> {
    return this.items().keys();
  }
  entries(): IterableIterator<[number, T]> {
    return this.items().entries();
  }

  toJSON(): unknown[] {
    return this.toJSONInternal(new Map());
  }
  toJSONInternal(cache: JSONCache): unknown[] {
    return this.items().map((item) => toJSONValue(item, cache));
  }

  // Array methods, over the items at call time.
  map<U>(fn: (value: T, index: number, array: T[]) => U): U[] {
    return this.items().map(fn);
  }
  forEach(fn: (value: T, index: number, array: T[]) => void): void {
    this.items().forEach(fn);
  }
  filter(fn: (value: T, index: number, array: T[]) => unknown): T[] {
    return this.items().filter(fn);
  }
  find(fn: (value: T, index: number, array: T[]) => unknown): T | undefined {
    return this.items().find(fn);
  }
  findIndex(fn: (value: T, index: number, array: T[]) => unknown): number {
    return this.items().findIndex(fn);
  }
  some(fn: (value: T, index: number, array: T[]) => unknown): boolean {
    return this.items().some(fn);
  }
  every(fn: (value: T, index: number, array: T[]) => unknown): boolean {
    return this.items().every(fn);
  }
  reduce<U>(fn: (acc: U, value: T, index: number, array: T[]) => U, initial: U): U {
    return this.items().reduce(fn, initial);
  }
  slice(start?: number, end?: number): T[] {
    return this.items().slice(start, end);
  }
  join(separator?: string): string {
    return this.items().join(separator);
  }
  at(index: number): T | undefined {
    return this.items().at(index);
  }
  includes(value: T): boolean {
    return this.indexOf(value) >= 0;
  }
  indexOf(value: T): number {
    return this.items().indexOf(value);
  }

  min(property?: string): unknown {
    return this.aggregate("min", property);
  }
  max(property?: string): unknown {
    return this.aggregate("max", property);
  }
  sum(property?: string): unknown {
    return this.aggregate("sum", property) ?? 0;
  }
  avg(property?: string): unknown {
    return this.aggregate("avg", property);
  }
  private aggregate(name: AggregateName, property: string | undefined): unknown {
    const cls = this.objectClass();
    const prop = cls && property !== undefined ? cls.byName.get(property) : undefined;
    if (cls && property !== undefined && !prop) throw errors.unknownProperty(cls.name, property);
    const type = prop ? (prop.collection ? "list" : prop.element) : this.type;
    if (
      !NUMERIC.has(type) &&
      !(type === "date" && (name === "min" || name === "max")) &&
      type !== "mixed"
    ) {
      throw errors.invalidArgument(
        `Cannot ${name} '${prop?.qualifiedName ?? type}': only numbers${name === "min" || name === "max" ? " and dates" : ""} can be aggregated`,
      );
    }
    if (cls && property === undefined) {
      throw errors.invalidArgument(
        `${name}() on a collection of '${cls.name}' objects needs a property name`,
      );
    }
    return aggregate(name, this.items(), property);
  }

  addListener(callback: (collection: this, changes: CollectionChangeSet) => void): void {
    this.context.checkOpen();
    this.context.notifier.addCollectionListener(
      this.observable(),
      callback as CollectionChangeCallback,
    );
  }
  removeListener(callback: (collection: this, changes: CollectionChangeSet) => void): void {
    this.context.notifier.removeCollectionListener(
      this.observable(),
      callback as CollectionChangeCallback,
    );
  }
  removeAllListeners(): void {
    this.context.notifier.removeCollectionListener(this.observable());
  }
  private observable(): Observable {
    return this;
  }
}

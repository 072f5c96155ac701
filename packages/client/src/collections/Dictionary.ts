/**
 * `Realm.Dictionary`: a live string-keyed map property. As in Realm JS it is a proxy whose
 * own properties are the entries (`dict.color`, `dict.color = "red"` inside a write), plus
 * methods `set`, `remove`, `keys`, `values`, `entries`, `toJSON`.
 */
import type { RealmContext } from "../core/RealmContext.js";
import { errors } from "../errors.js";
import type { ObjectRow, PropInfo, Stored } from "../schema/ClassInfo.js";
import { toJSONValue } from "../objects/toJSON.js";
import type { JSONCache } from "../objects/toJSON.js";
import { elementId, readElement } from "./elements.js";
import { COLLECTION_KIND } from "../objects/symbols.js";
import { isStoredDictionary, valueAt } from "../values/nested.js";
import type { NestedPath } from "../values/nested.js";
import type { CollectionChangeCallback, Observable } from "../listeners/ChangeNotifier.js";
import type { DictionaryChangeSet } from "../listeners/diff.js";

export class Dictionary<T = unknown> implements Observable {
  readonly uniqueIds = true;
  readonly keyed = true;
  readonly identity: string;
  readonly [COLLECTION_KIND] = "dictionary";
  /** The proxy user code holds (set by createDictionary). */
  publicHandle: unknown = this;

  /** `path` leads to a dictionary nested in a mixed value; [] is the property's own one. */
  constructor(
    protected readonly context: RealmContext,
    protected readonly row: ObjectRow,
    protected readonly prop: PropInfo,
    protected readonly path: NestedPath = [],
  ) {
    this.identity = `dictionary:${row.key}:${prop.key}${path.length ? `:${JSON.stringify(path)}` : ""}`;
  }

  snapshotIds(): unknown[] {
    if (!this.isValid()) return [];
    return Object.entries(this.stored()).map(([key, stored]) => [
      key,
      elementId(this.context, this.prop, stored),
    ]);
  }

  /** Called with `{ insertions, modifications, deletions }` (keys) after each commit that changes it. */
  addListener(callback: (dictionary: Dictionary<T>, changes: DictionaryChangeSet) => void): void {
    this.context.checkOpen();
    this.context.notifier.addCollectionListener(this, callback as CollectionChangeCallback);
  }

  removeListener(
    callback: (dictionary: Dictionary<T>, changes: DictionaryChangeSet) => void,
  ): void {
    this.context.notifier.removeCollectionListener(this, callback as CollectionChangeCallback);
  }

  removeAllListeners(): void {
    this.context.notifier.removeCollectionListener(this);
  }

  private stored(): Record<string, Stored> {
    if (!this.row.alive) throw errors.invalidated(this.row.cls.name);
    this.context.checkOpen();
    const stored = valueAt(this.row.values[this.prop.key], this.path);
    if (!isStoredDictionary(stored)) throw errors.invalidated(this.row.cls.name);
    return stored;
  }

  isValid(): boolean {
    return (
      this.row.alive &&
      !this.context.isClosed &&
      isStoredDictionary(valueAt(this.row.values[this.prop.key], this.path))
    );
  }

  getEntry(key: string): T | undefined {
    const stored = this.stored();
    return Object.hasOwn(stored, key) ? (this.readEntry(stored[key], key) as T) : undefined;
  }

  /** What user code sees for the entry stored under `key`. */
  protected readEntry(stored: Stored, _key: string): unknown {
    return readElement(this.context, this.prop, stored);
  }

  hasEntry(key: string): boolean {
    return Object.hasOwn(this.stored(), key);
  }

  get size(): number {
    return Object.keys(this.stored()).length;
  }

  keys(): string[] {
    return Object.keys(this.stored());
  }

  values(): T[] {
    return this.keys().map((key) => this.getEntry(key) as T);
  }

  entries(): [string, T][] {
    return this.keys().map((key) => [key, this.getEntry(key) as T]);
  }

  [Symbol.iterator](): Iterator<[string, T]> {
    return this.entries()[Symbol.iterator]();
  }

  /** Adds or replaces entries. */
  set(entries: Record<string, unknown>): this {
    const writer = this.context.writer();
    for (const [key, value] of Object.entries(entries))
      writer.dictionarySet(this.row, this.prop, key, value, this.path);
    return this;
  }

  setEntry(key: string, value: unknown): void {
    this.context.writer().dictionarySet(this.row, this.prop, key, value, this.path);
  }

  remove(keys: string | string[]): this {
    const writer = this.context.writer();
    for (const key of typeof keys === "string" ? [keys] : keys)
      writer.dictionaryRemove(this.row, this.prop, key, this.path);
    return this;
  }

  toJSON(): Record<string, unknown> {
    return this.toJSONInternal(new Map());
  }

  toJSONInternal(cache: JSONCache): Record<string, unknown> {
    return Object.fromEntries(
      this.entries().map(([key, value]) => [key, toJSONValue(value, cache)]),
    );
  }
}

const METHODS = new Set([
  ...Object.getOwnPropertyNames(Dictionary.prototype),
  "uniqueIds",
  "keyed",
  "identity",
  "publicHandle",
]);

/** A Dictionary wrapped so entries read and write as properties. */
export function createDictionary(
  context: RealmContext,
  row: ObjectRow,
  prop: PropInfo,
  dictionary: Dictionary = new Dictionary(context, row, prop),
): Dictionary {
  const proxy = new Proxy(dictionary, {
    get(target, key, receiver) {
      if (typeof key === "symbol" || METHODS.has(key)) {
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === "function"
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      }
      return target.getEntry(key);
    },
    set(target, key, value) {
      if (typeof key === "symbol") return false;
      target.setEntry(key, value);
      return true;
    },
    deleteProperty(target, key) {
      if (typeof key === "symbol") return false;
      target.remove(key);
      return true;
    },
    has(target, key) {
      return typeof key === "string" && target.hasEntry(key);
    },
    ownKeys(target) {
      return target.keys();
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key !== "string" || !target.hasEntry(key)) return undefined;
      return { value: target.getEntry(key), writable: true, enumerable: true, configurable: true };
    },
  });
  dictionary.publicHandle = proxy;
  return proxy;
}

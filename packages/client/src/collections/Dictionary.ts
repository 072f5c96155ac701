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
import type { CollectionChangeCallback, Observable } from "../listeners/ChangeNotifier.js";
import type { DictionaryChangeSet } from "../listeners/diff.js";

export class Dictionary<T = unknown> implements Observable {
  readonly uniqueIds = true;
  readonly keyed = true;
  readonly identity: string;
  /** The proxy user code holds (set by createDictionary). */
  publicHandle: unknown = this;

  constructor(
    private readonly context: RealmContext,
    private readonly row: ObjectRow,
    private readonly prop: PropInfo,
  ) {
    this.identity = `dictionary:${row.key}:${prop.key}`;
  }

  snapshotIds(): unknown[] {
    if (!this.row.alive) return [];
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
    return this.row.values[this.prop.key] as Record<string, Stored>;
  }

  isValid(): boolean {
    return this.row.alive && !this.context.isClosed;
  }

  getEntry(key: string): T | undefined {
    const stored = this.stored();
    return Object.hasOwn(stored, key)
      ? (readElement(this.context, this.prop, stored[key]) as T)
      : undefined;
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
      writer.dictionarySet(this.row, this.prop, key, value);
    return this;
  }

  setEntry(key: string, value: unknown): void {
    this.context.writer().dictionarySet(this.row, this.prop, key, value);
  }

  remove(keys: string | string[]): this {
    const writer = this.context.writer();
    for (const key of typeof keys === "string" ? [keys] : keys)
      writer.dictionaryRemove(this.row, this.prop, key);
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
): Dictionary {
  const dictionary = new Dictionary(context, row, prop);
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

/**
 * Listener bookkeeping for one realm. At each commit the changes every listener will see are
 * computed at once (so each transaction is reported on its own, against the state it left);
 * callbacks run afterwards, asynchronously, in registration order, and not at all if the
 * listener was removed in between.
 */
import type { ObjectRow } from "../schema/ClassInfo.js";
import type { CommitChanges } from "../transaction/changes.js";
import { ROW } from "../objects/symbols.js";
import type { LiveObject } from "../objects/symbols.js";
import type { CollectionChangeSet, DictionaryChangeSet } from "./diff.js";
import {
  diffKeyed,
  diffSequence,
  diffUnique,
  emptyChangeSet,
  emptyKeyedChangeSet,
  isEmptyChangeSet,
} from "./diff.js";
import type { KeyedId } from "./diff.js";

export type RealmEventName = "change" | "schema";
export type RealmListenerCallback = (
  realm: unknown,
  name: RealmEventName,
  schema?: unknown,
) => void;
export interface ObjectChangeSet<T> {
  readonly deleted: boolean;
  readonly changedProperties: (keyof T & string)[];
}
export type ObjectChangeCallback<T> = (object: T, changes: ObjectChangeSet<T>) => void;
export type CollectionChangeCallback = (
  collection: unknown,
  changes: CollectionChangeSet | DictionaryChangeSet,
) => void;

/** What a collection offers its listeners: ids of its current contents, and how to diff them. */
export interface Observable {
  snapshotIds(): unknown[];
  /** True when ids are unique (query results), false for lists that may repeat values. */
  readonly uniqueIds: boolean;
  /** Dictionaries: ids are [key, id] pairs and changes are reported by key. */
  readonly keyed?: boolean;
  /** The public object handed to callbacks (the proxy, for index access). */
  readonly publicHandle: unknown;
  /** Equal for every handle on the same collection (list handles are recreated on each read). */
  readonly identity: unknown;
  isValid(): boolean;
}

interface CollectionListener {
  readonly observable: Observable;
  readonly callback: CollectionChangeCallback;
  /** The contents the listener was last told about; unset until its first callback. */
  previous: unknown[] | undefined;
}

interface ObjectListener {
  readonly object: LiveObject;
  readonly callback: ObjectChangeCallback<unknown>;
  readonly keyPaths: ReadonlySet<string> | undefined;
}

export class ChangeNotifier {
  private readonly realmListeners = new Map<RealmEventName, Set<RealmListenerCallback>>();
  private readonly objectListeners = new Set<ObjectListener>();
  private readonly collectionListeners = new Set<CollectionListener>();

  constructor(private readonly realm: unknown) {}

  addRealmListener(name: RealmEventName, callback: RealmListenerCallback): void {
    let set = this.realmListeners.get(name);
    if (!set) this.realmListeners.set(name, (set = new Set()));
    set.add(callback);
  }

  removeRealmListener(name: RealmEventName, callback?: RealmListenerCallback): void {
    if (callback) this.realmListeners.get(name)?.delete(callback);
    else this.realmListeners.delete(name);
  }

  addObjectListener(
    object: LiveObject,
    callback: ObjectChangeCallback<unknown>,
    keyPaths?: string | string[],
  ): void {
    const paths =
      keyPaths === undefined
        ? undefined
        : new Set(typeof keyPaths === "string" ? [keyPaths] : keyPaths);
    this.objectListeners.add({ object, callback, keyPaths: paths });
  }

  removeObjectListener(object: LiveObject, callback?: ObjectChangeCallback<unknown>): void {
    for (const listener of this.objectListeners) {
      if (listener.object[ROW] === object[ROW] && (!callback || listener.callback === callback)) {
        this.objectListeners.delete(listener);
      }
    }
  }

  /**
   * Registers a collection listener. As in Realm, it is called once at first with an empty change
   * set, and that call stands for the contents at the time it runs: commits made before it are
   * part of that state, not reported again. Later calls report changes from there on.
   */
  addCollectionListener(observable: Observable, callback: CollectionChangeCallback): void {
    const listener: CollectionListener = { observable, callback, previous: undefined };
    this.collectionListeners.add(listener);
    setImmediate(() => {
      if (!this.collectionListeners.has(listener)) return;
      listener.previous = observable.isValid() ? observable.snapshotIds() : [];
      callback(
        observable.publicHandle,
        observable.keyed ? emptyKeyedChangeSet() : emptyChangeSet(),
      );
    });
  }

  removeCollectionListener(observable: Observable, callback?: CollectionChangeCallback): void {
    for (const listener of this.collectionListeners) {
      if (
        listener.observable.identity === observable.identity &&
        (!callback || listener.callback === callback)
      ) {
        this.collectionListeners.delete(listener);
      }
    }
  }

  removeAll(): void {
    this.realmListeners.clear();
    this.objectListeners.clear();
    this.collectionListeners.clear();
  }

  /** Called right after a commit: computes every listener's change set, then delivers later. */
  onCommit(changes: CommitChanges): void {
    const idle =
      this.objectListeners.size === 0 &&
      this.collectionListeners.size === 0 &&
      (this.realmListeners.get("change")?.size ?? 0) === 0;
    if (idle) return;
    const deliveries: (() => void)[] = [];
    for (const listener of this.objectListeners) {
      const delivery = this.objectDelivery(listener, changes);
      if (delivery) deliveries.push(delivery);
    }
    const isModified = (id: unknown): boolean =>
      typeof id === "object" && id !== null && changes.modified.has(id as ObjectRow);
    for (const listener of this.collectionListeners) {
      const previous = listener.previous;
      if (previous === undefined || !listener.observable.isValid()) continue;
      const current = listener.observable.snapshotIds();
      const diff = listener.observable.keyed
        ? diffKeyed(previous as KeyedId[], current as KeyedId[], isModified)
        : listener.observable.uniqueIds
          ? diffUnique(previous, current, isModified)
          : diffSequence(previous, current, isModified);
      listener.previous = current;
      if (isEmptyChangeSet(diff)) continue;
      deliveries.push(() => {
        if (this.collectionListeners.has(listener))
          listener.callback(listener.observable.publicHandle, diff);
      });
    }
    const realmCallbacks = [...(this.realmListeners.get("change") ?? [])];
    deliveries.push(() => {
      for (const callback of realmCallbacks) {
        if (this.realmListeners.get("change")?.has(callback)) callback(this.realm, "change");
      }
    });
    setImmediate(() => {
      for (const deliver of deliveries) deliver();
    });
  }

  private objectDelivery(
    listener: ObjectListener,
    changes: CommitChanges,
  ): (() => void) | undefined {
    const row = listener.object[ROW];
    let changeSet: { deleted: boolean; changedProperties: string[] } | undefined;
    if (changes.deleted.has(row)) changeSet = { deleted: true, changedProperties: [] };
    else {
      const names = changes.modified.get(row);
      if (!names) return undefined;
      const changed = [...names].filter((n) => !listener.keyPaths || listener.keyPaths.has(n));
      if (changed.length === 0) return undefined;
      changeSet = { deleted: false, changedProperties: changed };
    }
    const result = changeSet;
    return () => {
      if (this.objectListeners.has(listener))
        listener.callback(listener.object, result as ObjectChangeSet<unknown>);
    };
  }

  notifySchema(schema: unknown): void {
    const callbacks = [...(this.realmListeners.get("schema") ?? [])];
    setImmediate(() => {
      for (const callback of callbacks) callback(this.realm, "schema", schema);
    });
  }
}

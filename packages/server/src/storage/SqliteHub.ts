/**
 * What the SQLite instances of one file in this process share: each committed batch reaches
 * the commit listeners of every instance (SQLite has no notifications between connections, and
 * better-sqlite3 commits synchronously, so handing the batch over right after its commit
 * delivers batches in commit order, each once), and `notify` wakes the `listen`ers of every
 * instance. A store in memory is private to its instance: it has a hub of its own.
 */
import type { ChangeRecord } from "./StorageEngine.js";

type Delivery = (records: readonly ChangeRecord[]) => void;

const hubs = new Map<string, SqliteHub>();

export class SqliteHub {
  readonly #file: string | undefined;
  readonly #members = new Set<Delivery>();
  readonly #channels = new Map<string, Set<() => void>>();

  private constructor(file: string | undefined) {
    this.#file = file;
  }

  /** The hub of `file` (undefined: a private one), with `delivery` as a member. */
  static join(file: string | undefined, delivery: Delivery): SqliteMembership {
    let hub = file === undefined ? undefined : hubs.get(file);
    if (hub === undefined) {
      hub = new SqliteHub(file);
      if (file !== undefined) hubs.set(file, hub);
    }
    hub.#members.add(delivery);
    return new SqliteMembership(hub, delivery);
  }

  committed(records: readonly ChangeRecord[]): void {
    for (const deliver of [...this.#members]) deliver(records);
  }

  notify(channel: string): void {
    for (const listener of [...(this.#channels.get(channel) ?? [])]) listener();
  }

  listen(channel: string, listener: () => void): () => void {
    // A listener object registered twice must be called twice: wrap it.
    const entry = (): void => listener();
    let listeners = this.#channels.get(channel);
    if (listeners === undefined) {
      listeners = new Set();
      this.#channels.set(channel, listeners);
    }
    listeners.add(entry);
    return () => {
      listeners.delete(entry);
    };
  }

  leave(delivery: Delivery): void {
    this.#members.delete(delivery);
    if (this.#members.size === 0 && this.#file !== undefined) hubs.delete(this.#file);
  }
}

/** One instance's place in a hub: its listeners go when it leaves. */
export class SqliteMembership {
  readonly #hub: SqliteHub;
  readonly #delivery: Delivery;
  readonly #unlisten = new Set<() => void>();

  constructor(hub: SqliteHub, delivery: Delivery) {
    this.#hub = hub;
    this.#delivery = delivery;
  }

  committed(records: readonly ChangeRecord[]): void {
    this.#hub.committed(records);
  }

  notify(channel: string): void {
    this.#hub.notify(channel);
  }

  listen(channel: string, listener: () => void): () => void {
    const stop = this.#hub.listen(channel, listener);
    const unlisten = (): void => {
      stop();
      this.#unlisten.delete(unlisten);
    };
    this.#unlisten.add(unlisten);
    return unlisten;
  }

  leave(): void {
    for (const unlisten of [...this.#unlisten]) unlisten();
    this.#hub.leave(this.#delivery);
  }
}

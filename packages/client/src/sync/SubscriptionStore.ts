/**
 * The subscription sets of one synced file: every version from the active one (the newest the
 * server completed) up to the newest the user made, persisted in the file's sync metadata so
 * they survive restarts, with their states and the promises waiting on them.
 *
 * A set moves pending → complete (its bootstrap was applied) or error (the server refused
 * it); when a set completes, older pending sets become superseded.
 */
import { SyncErrorCode } from "@atoll/protocol";
import type { SyncMetadata } from "./local/syncTypes.js";
import type { LocalSyncPort } from "./types.js";
import { SubscriptionSetState } from "./types.js";
import { SyncError } from "./SyncError.js";

export interface StoredSubscription {
  readonly id: string;
  readonly name: string | null;
  readonly objectType: string;
  readonly queryString: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface StoredSubscriptionSet {
  readonly version: number;
  readonly state: SubscriptionSetState;
  readonly error: string | null;
  readonly subscriptions: readonly StoredSubscription[];
}

interface StoredSubscriptions {
  /** The active set first, then newer ones. */
  readonly sets: readonly StoredSubscriptionSet[];
}

const EMPTY_SET: StoredSubscriptionSet = {
  version: 0,
  state: SubscriptionSetState.Complete,
  error: null,
  subscriptions: [],
};

function isStored(value: unknown): value is StoredSubscriptions {
  return (
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as { sets?: unknown }).sets) &&
    (value as StoredSubscriptions).sets.length > 0
  );
}

/** The `query` body of a set: one RQL string per type, several subscriptions joined with OR. */
export function queryBody(set: StoredSubscriptionSet): Record<string, string> {
  const byType = new Map<string, string[]>();
  for (const sub of set.subscriptions) {
    const list = byType.get(sub.objectType) ?? [];
    if (!list.includes(sub.queryString)) list.push(sub.queryString);
    byType.set(sub.objectType, list);
  }
  const body: Record<string, string> = {};
  for (const [type, queries] of byType) {
    body[type] = queries.length === 1 ? queries[0]! : queries.map((q) => `(${q})`).join(" OR ");
  }
  return body;
}

interface Waiter {
  readonly version: number;
  resolve(): void;
  reject(error: Error): void;
}

export class SubscriptionStore {
  private sets: StoredSubscriptionSet[];
  private waiters: Waiter[] = [];
  /** Set once the session stopped for good: later waits reject with it at once. */
  private abandoned: Error | undefined;
  private readonly listeners = new Set<(set: StoredSubscriptionSet) => void>();

  constructor(private readonly local: LocalSyncPort) {
    const stored = local.metadata().subscriptions;
    this.sets = isStored(stored) ? [...stored.sets] : [EMPTY_SET];
  }

  /** True once any set was ever created for this file (initialSubscriptions run only before). */
  get hasEverSubscribed(): boolean {
    return this.latest.version > 0;
  }

  get latest(): StoredSubscriptionSet {
    return this.sets[this.sets.length - 1]!;
  }

  get active(): StoredSubscriptionSet {
    return this.sets[0]!;
  }

  /** Sets newer than the active one still waiting for the server, oldest first. */
  pendingSets(): StoredSubscriptionSet[] {
    return this.sets.filter((set) => set.state === SubscriptionSetState.Pending);
  }

  byVersion(version: number): StoredSubscriptionSet | undefined {
    return this.sets.find((set) => set.version === version);
  }

  /** Called with every new set the user commits (the session sends it). */
  onNewSet(listener: (set: StoredSubscriptionSet) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Persists a new pending set with these subscriptions, as the next version. */
  commit(subscriptions: readonly StoredSubscription[]): StoredSubscriptionSet {
    const set: StoredSubscriptionSet = {
      version: this.latest.version + 1,
      state: SubscriptionSetState.Pending,
      error: null,
      subscriptions,
    };
    this.sets.push(set);
    this.local.saveMetadata({ subscriptions: this.serialize() });
    for (const listener of this.listeners) listener(set);
    return set;
  }

  /**
   * The metadata that makes `version` the active set, to be saved in the same transaction as
   * its bootstrap; `completed` applies it in memory afterwards.
   */
  completionPatch(version: number): Partial<SyncMetadata> {
    return { subscriptions: { sets: this.afterCompletion(version) } };
  }

  completed(version: number): void {
    this.sets = this.afterCompletion(version);
    this.settle();
  }

  /** The server refused `version`: it goes to the error state, the active set stays. */
  failed(version: number, message: string): void {
    this.sets = this.sets.map((set) =>
      set.version === version ? { ...set, state: SubscriptionSetState.Error, error: message } : set,
    );
    this.local.saveMetadata({ subscriptions: this.serialize() });
    this.settle();
  }

  /** Resolves when `version` is complete or superseded; rejects when the server refused it. */
  waitFor(version: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ version, resolve, reject });
      this.settle();
      if (this.abandoned) this.abandon(this.abandoned);
    });
  }

  /** Rejects every waiter, now and later (the session stopped for good). */
  abandon(error: Error): void {
    this.abandoned = error;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  private afterCompletion(version: number): StoredSubscriptionSet[] {
    const result: StoredSubscriptionSet[] = [];
    for (const set of this.sets) {
      if (set.version < version) continue;
      result.push(
        set.version === version
          ? { ...set, state: SubscriptionSetState.Complete, error: null }
          : set,
      );
    }
    return result.length > 0 ? result : [EMPTY_SET];
  }

  private stateOf(version: number): { state: SubscriptionSetState; error: string | null } {
    const set = this.byVersion(version);
    if (set) return set;
    return version < this.active.version
      ? { state: SubscriptionSetState.Superseded, error: null }
      : { state: SubscriptionSetState.Pending, error: null };
  }

  private settle(): void {
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      const { state, error } = this.stateOf(waiter.version);
      if (state === SubscriptionSetState.Complete || state === SubscriptionSetState.Superseded)
        waiter.resolve();
      else if (state === SubscriptionSetState.Error)
        waiter.reject(
          new SyncError(SyncErrorCode.BadQuery, error ?? "The subscription set was refused", {
            isFatal: false,
          }),
        );
      else still.push(waiter);
    }
    this.waiters = still;
  }

  private serialize(): StoredSubscriptions {
    return { sets: this.sets };
  }
}

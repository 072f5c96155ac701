/**
 * `realm.subscriptions` as Realm JS v12 has it: the newest subscription set of the realm
 * (`version`, `state`, `error`, iteration, `findByName`, `findByQuery`), `update(callback)`
 * that hands the callback a `MutableSubscriptionSet`, and `waitForSynchronization()`.
 */
import { ObjectId } from "bson";
import { ClientErrorCode, RealmError } from "../errors.js";
import type {
  SubscriptionStore,
  StoredSubscription,
  StoredSubscriptionSet,
} from "./SubscriptionStore.js";
import type { SubscriptionSetState, WaitForSync } from "./types.js";

/** What a subscription is made from: Results (anything with an object type and an RQL description). */
export interface SubscribableQuery {
  readonly objectType: string;
  description(): string;
}

export interface SubscriptionOptions {
  name?: string;
  /** Throw instead of replacing the query of an existing subscription with this name. */
  throwOnUpdate?: boolean;
  /**
   * `Results.subscribe()` only: when to wait for the data. `subscribe()` without options waits
   * the first time (`WaitForSync.FirstTime`); options without a behavior do not wait.
   */
  behavior?: WaitForSync;
  /**
   * `Results.subscribe()` only: stop waiting after this many milliseconds and resolve anyway;
   * the subscription stays, and its data arrives later.
   */
  timeout?: number;
}

export class Subscription {
  constructor(private readonly stored: StoredSubscription) {}

  get id(): ObjectId {
    return ObjectId.createFromHexString(this.stored.id);
  }
  get name(): string | null {
    return this.stored.name;
  }
  get objectType(): string {
    return this.stored.objectType;
  }
  get queryString(): string {
    return this.stored.queryString;
  }
  get createdAt(): Date {
    return new Date(this.stored.createdAt);
  }
  get updatedAt(): Date {
    return new Date(this.stored.updatedAt);
  }
}

function queryOf(query: SubscribableQuery): { objectType: string; queryString: string } {
  if (
    query === null ||
    typeof query !== "object" ||
    typeof query.description !== "function" ||
    typeof query.objectType !== "string"
  ) {
    throw new RealmError(
      ClientErrorCode.InvalidArgument,
      "A subscription needs the Results of a query (realm.objects(Type).filtered(...))",
    );
  }
  return { objectType: query.objectType, queryString: query.description() };
}

/** Read access shared by the live set and the mutable draft. */
abstract class BaseSubscriptionSet {
  protected abstract entries(): readonly StoredSubscription[];

  get length(): number {
    return this.entries().length;
  }
  get isEmpty(): boolean {
    return this.entries().length === 0;
  }
  findByName(name: string): Subscription | null {
    const found = this.entries().find((sub) => sub.name === name);
    return found ? new Subscription(found) : null;
  }
  findByQuery(query: SubscribableQuery): Subscription | null {
    const { objectType, queryString } = queryOf(query);
    const found = this.entries().find(
      (sub) => sub.objectType === objectType && sub.queryString === queryString,
    );
    return found ? new Subscription(found) : null;
  }
  /** Same as findByQuery. */
  find(query: SubscribableQuery): Subscription | null {
    return this.findByQuery(query);
  }
  [Symbol.iterator](): Iterator<Subscription> {
    const subscriptions = this.entries().map((sub) => new Subscription(sub));
    return subscriptions[Symbol.iterator]();
  }
}

export class MutableSubscriptionSet extends BaseSubscriptionSet {
  private draft: StoredSubscription[];

  constructor(from: readonly StoredSubscription[]) {
    super();
    this.draft = [...from];
  }

  protected entries(): readonly StoredSubscription[] {
    return this.draft;
  }

  /** The subscriptions as edited. */
  result(): StoredSubscription[] {
    return this.draft;
  }

  add(query: SubscribableQuery, options: SubscriptionOptions = {}): Subscription {
    const { objectType, queryString } = queryOf(query);
    const now = Date.now();
    const name = options.name ?? null;
    const index = this.draft.findIndex((sub) =>
      name !== null
        ? sub.name === name
        : sub.name === null && sub.objectType === objectType && sub.queryString === queryString,
    );
    const existing = index >= 0 ? this.draft[index] : undefined;
    if (existing) {
      if (existing.objectType === objectType && existing.queryString === queryString)
        return new Subscription(existing);
      if (options.throwOnUpdate === true) {
        throw new RealmError(
          ClientErrorCode.InvalidArgument,
          `A subscription with the name '${String(name)}' already exists but has a different query. If you meant to update it, remove \`throwOnUpdate: true\` from the subscription options.`,
        );
      }
      const updated: StoredSubscription = { ...existing, objectType, queryString, updatedAt: now };
      this.draft[index] = updated;
      return new Subscription(updated);
    }
    const created: StoredSubscription = {
      id: new ObjectId().toHexString(),
      name,
      objectType,
      queryString,
      createdAt: now,
      updatedAt: now,
    };
    this.draft.push(created);
    return new Subscription(created);
  }

  /** Removes every subscription with this query; true if there was one. */
  remove(query: SubscribableQuery): boolean {
    const { objectType, queryString } = queryOf(query);
    return (
      this.removeWhere((sub) => sub.objectType === objectType && sub.queryString === queryString) >
      0
    );
  }
  removeByName(name: string): boolean {
    return this.removeWhere((sub) => sub.name === name) > 0;
  }
  removeSubscription(subscription: Subscription): boolean {
    const id = subscription.id.toHexString();
    return this.removeWhere((sub) => sub.id === id) > 0;
  }
  removeAll(): number {
    return this.removeWhere(() => true);
  }
  removeByObjectType(objectType: string): number {
    return this.removeWhere((sub) => sub.objectType === objectType);
  }
  removeUnnamed(): number {
    return this.removeWhere((sub) => sub.name === null);
  }

  private removeWhere(test: (sub: StoredSubscription) => boolean): number {
    const before = this.draft.length;
    this.draft = this.draft.filter((sub) => !test(sub));
    return before - this.draft.length;
  }
}

export type SubscriptionsUpdateCallback<R> = (
  mutableSubs: MutableSubscriptionSet,
  realm: R,
) => void;

/** The newest subscription set of a realm; it follows the realm as new versions are made. */
export class SubscriptionSet<R = unknown> extends BaseSubscriptionSet {
  constructor(
    private readonly store: SubscriptionStore,
    private readonly realm: R,
  ) {
    super();
  }

  private get current(): StoredSubscriptionSet {
    return this.store.latest;
  }
  protected entries(): readonly StoredSubscription[] {
    return this.current.subscriptions;
  }
  get version(): number {
    return this.current.version;
  }
  get state(): SubscriptionSetState {
    return this.current.state;
  }
  get error(): string | null {
    return this.current.error;
  }

  /**
   * Runs `callback` on a mutable copy of the newest set and commits the result as a new version
   * at once (synchronously, before this returns its promise); the promise resolves when that
   * set is synchronized (its data is in the realm) and rejects as `waitForSynchronization()`
   * does (the server refused it, or the session stopped).
   */
  async update(callback: SubscriptionsUpdateCallback<R>): Promise<void> {
    await this.store.waitFor(this.updateNow(callback));
  }

  /** The synchronous part of `update` (what `initialSubscriptions` runs): the committed version. */
  updateNow(callback: SubscriptionsUpdateCallback<R>): number {
    if (typeof callback !== "function") {
      throw new RealmError(ClientErrorCode.InvalidArgument, "update() needs a callback function");
    }
    const mutable = new MutableSubscriptionSet(this.current.subscriptions);
    callback(mutable, this.realm);
    return this.store.commit(mutable.result()).version;
  }

  /** Resolves when the newest set is complete; rejects with the server's error (226) if refused. */
  waitForSynchronization(): Promise<void> {
    return this.store.waitFor(this.version);
  }
}

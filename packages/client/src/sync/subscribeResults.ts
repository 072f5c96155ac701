/**
 * `Results.subscribe(options)` and `Results.unsubscribe()` (Realm JS v12): a subscription on the
 * Results' own query, committed to the realm's newest subscription set, and, depending on
 * `behavior`, a wait until its data is in the realm.
 */
import { errors } from "../errors.js";
import type {
  MutableSubscriptionSet,
  SubscribableQuery,
  SubscriptionOptions,
  SubscriptionSet,
} from "./SubscriptionSet.js";
import { WaitForSync } from "./types.js";

const BEHAVIORS: ReadonlySet<unknown> = new Set(Object.values(WaitForSync));

/**
 * Without options, `subscribe()` waits the first time. As in Realm JS, options without a
 * `behavior` do not wait.
 */
const DEFAULT_OPTIONS: SubscriptionOptions = { behavior: WaitForSync.FirstTime };

/**
 * Adds a subscription on `query` (an existing one with the same query, or the same name, is
 * kept or updated as `MutableSubscriptionSet.add` does). Waits for its data when `behavior` is
 * `Always`, or `FirstTime` and the query had no subscription yet, and not when it is `Never` or
 * missing; a `timeout` ends the wait without an error. Rejects as `waitForSynchronization()`
 * does when the server refuses it.
 */
export async function subscribeQuery(
  subscriptions: SubscriptionSet,
  query: SubscribableQuery,
  options: SubscriptionOptions = DEFAULT_OPTIONS,
): Promise<void> {
  const { behavior } = options;
  if (behavior !== undefined && !BEHAVIORS.has(behavior)) {
    throw errors.invalidArgument(
      `Unsupported 'behavior': only '${Object.values(WaitForSync).join("', '")}' are supported`,
    );
  }
  const { timeout } = options;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout >= 0)) {
    throw errors.invalidArgument("'timeout' must be a number of milliseconds, 0 or more");
  }
  const isNew = subscriptions.findByQuery(query) === null;
  const subscription = { name: options.name, throwOnUpdate: options.throwOnUpdate };
  const add = (mutable: MutableSubscriptionSet): void => void mutable.add(query, subscription);
  const wait = behavior === WaitForSync.Always || (behavior === WaitForSync.FirstTime && isNew);
  if (!wait) {
    subscriptions.updateNow(add);
    return;
  }
  const synchronized = subscriptions.update(add);
  if (timeout === undefined) return synchronized;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeout);
  });
  try {
    // A refusal after the timeout still reaches waitForSynchronization() and onError.
    await Promise.race([synchronized, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Removes the subscriptions on `query` from the newest set, without waiting. */
export function unsubscribeQuery(subscriptions: SubscriptionSet, query: SubscribableQuery): void {
  subscriptions.updateNow((mutable) => void mutable.remove(query));
}

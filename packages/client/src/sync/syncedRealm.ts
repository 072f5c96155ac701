/**
 * What a Realm does differently when it is synced: attaching to (or starting) the file's sync
 * session, running `initialSubscriptions`, and `Realm.open`'s wait before handing the realm
 * out (downloadBeforeOpen) with its optional time-out.
 */
import type { CanonicalObjectSchema } from "../schema/types.js";
import { log } from "./logger.js";
import { clientResetHooks } from "./clientReset.js";
import type { RealmCopy } from "./clientReset.js";
import { acquireSync, releaseSync } from "./sessionRegistry.js";
import type { SyncAttachment } from "./sessionRegistry.js";
import { bindSchema } from "./SyncConfiguration.js";
import type { SyncConfiguration } from "./SyncConfiguration.js";
import { SubscriptionSet } from "./SubscriptionSet.js";
import { SubscriptionStore } from "./SubscriptionStore.js";
import { SyncSession } from "./SyncSession.js";
import { OpenRealmBehaviorType, OpenRealmTimeOutBehavior } from "./types.js";
import type { LocalSyncPort, OpenRealmBehaviorConfiguration } from "./types.js";

export interface SyncedRealmState<R> {
  readonly attachment: SyncAttachment;
  readonly subscriptions: SubscriptionSet<R>;
}

export function attachSync<R>(
  realm: R,
  options: {
    readonly key: string;
    readonly local: LocalSyncPort;
    readonly config: SyncConfiguration<R>;
    readonly schema: readonly CanonicalObjectSchema[];
    readonly schemaVersion: number;
    /** The realm file's path. */
    readonly path: string;
    /** A read-only copy of the realm as it is now (a client reset's before-image). */
    readonly copy: () => RealmCopy<R>;
  },
): SyncedRealmState<R> {
  const { config } = options;
  const attachment = acquireSync(options.key, () => {
    const subscriptions = new SubscriptionStore(options.local);
    const session = new SyncSession({
      user: config.user,
      local: options.local,
      subscriptions,
      schema: bindSchema(options.schema),
      schemaVersion: options.schemaVersion,
      config,
      report: (reporting, error) => {
        if (config.onError) config.onError(reporting, error);
        else log("error", `Sync error ${error.code}: ${error.message}`);
      },
      clientReset: clientResetHooks({
        config: config.clientReset,
        path: options.path,
        realm,
        copy: options.copy,
        log: (message) => log("error", message),
      }),
    });
    return { session, subscriptions };
  });
  const subscriptions = new SubscriptionSet<R>(attachment.subscriptions, realm);
  const initial = config.initialSubscriptions;
  if (initial && (!attachment.subscriptions.hasEverSubscribed || initial.rerunOnOpen === true)) {
    try {
      subscriptions.updateNow(initial.update);
    } catch (error) {
      releaseSync(options.key, attachment);
      throw error;
    }
  }
  return { attachment, subscriptions };
}

/**
 * Realm.open's wait for a synced realm: by default (downloadBeforeOpen) until the newest
 * subscription set is complete and everything the server has is downloaded.
 */
export async function waitBeforeOpen<R>(
  state: SyncedRealmState<R>,
  behavior: OpenRealmBehaviorConfiguration | undefined,
): Promise<"ready" | "timedOut"> {
  if (behavior?.type === OpenRealmBehaviorType.OpenImmediately) return "ready";
  const download = (async () => {
    await state.subscriptions.waitForSynchronization();
    await state.attachment.session.downloadAllServerChanges();
    return "ready" as const;
  })();
  const timeOut = behavior?.timeOut;
  if (timeOut === undefined) return download;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timedOut">((resolve) => {
    timer = setTimeout(() => resolve("timedOut"), timeOut);
  });
  try {
    const outcome = await Promise.race([download, timedOut]);
    if (
      outcome === "timedOut" &&
      behavior?.timeOutBehavior !== OpenRealmTimeOutBehavior.OpenLocalRealm
    ) {
      throw new Error(`The realm could not be downloaded in the allocated time: ${timeOut} ms`);
    }
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What a Realm does differently when it is synced: attaching to (or starting) the file's sync
 * session, running `initialSubscriptions`, and `Realm.open`'s wait before handing the realm
 * out (downloadBeforeOpen) with its time-out, progress reports and cancellation.
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
import { errors } from "../errors.js";
import { TimeoutError } from "./ProgressRealmPromise.js";
import type { OpenTask } from "./ProgressRealmPromise.js";
import {
  OpenRealmBehaviorType,
  OpenRealmTimeOutBehavior,
  ProgressDirection,
  ProgressMode,
} from "./types.js";
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
 * What Realm.open does for a synced realm whose configuration names no behaviour for its file,
 * as Realm JS v12 does: download first, but give up with an error after 30 seconds.
 */
export const DEFAULT_OPEN_BEHAVIOR: OpenRealmBehaviorConfiguration = {
  type: OpenRealmBehaviorType.DownloadBeforeOpen,
  timeOut: 30_000,
  timeOutBehavior: OpenRealmTimeOutBehavior.ThrowException,
};

const TIME_OUT_BEHAVIORS: ReadonlySet<unknown> = new Set(Object.values(OpenRealmTimeOutBehavior));

function checkBehavior(behavior: OpenRealmBehaviorConfiguration): void {
  const { type, timeOut, timeOutBehavior } = behavior;
  if (type !== OpenRealmBehaviorType.DownloadBeforeOpen)
    throw errors.invalidArgument(`Unexpected open behavior '${String(type)}'`);
  if (timeOut !== undefined && (typeof timeOut !== "number" || !(timeOut >= 0)))
    throw errors.invalidArgument(`Expected 'timeOut' to be a number, got ${String(timeOut)}`);
  if (timeOutBehavior !== undefined && !TIME_OUT_BEHAVIORS.has(timeOutBehavior)) {
    throw errors.invalidArgument(
      `Invalid 'timeOutBehavior': '${String(timeOutBehavior)}'. Only 'throwException' and 'openLocalRealm' is allowed.`,
    );
  }
}

/** Rejects when the open is cancelled; `dispose` stops listening. */
function whenCancelled(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let listener: (() => void) | undefined;
  const promise = new Promise<never>((_resolve, reject) => {
    listener = () => reject(new Error("Async open canceled"));
    if (signal.aborted) listener();
    else signal.addEventListener("abort", listener, { once: true });
  });
  return {
    promise,
    dispose: () => {
      if (listener) signal.removeEventListener("abort", listener);
    },
  };
}

/**
 * Realm.open's wait for a synced realm: with downloadBeforeOpen (the default) until the newest
 * subscription set is complete and everything the server has is downloaded, reporting the
 * download's progress to the open's `progress` callbacks; at most `timeOut` ms when given
 * (then an error, or the realm as it is with `openLocalRealm`), and until the open is
 * cancelled.
 */
export async function waitBeforeOpen<R>(
  state: SyncedRealmState<R>,
  configured: OpenRealmBehaviorConfiguration | undefined,
  task: OpenTask,
): Promise<"ready" | "timedOut"> {
  const behavior = configured ?? DEFAULT_OPEN_BEHAVIOR;
  if (behavior.type === OpenRealmBehaviorType.OpenImmediately) return "ready";
  checkBehavior(behavior);
  const session = state.attachment.session;
  // Nothing known to download yet says nothing about the download: an estimate would read 1.
  const forward = (transferred: number, transferable: number): void => {
    if (transferable > 0) task.reportProgress(transferred, transferable);
  };
  session.addProgressNotification(
    ProgressDirection.Download,
    ProgressMode.ReportIndefinitely,
    forward,
  );
  const download = (async () => {
    await state.subscriptions.waitForSynchronization();
    await session.downloadAllServerChanges();
    return "ready" as const;
  })();
  const cancelled = whenCancelled(task.signal);
  const { timeOut } = behavior;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timedOut">((resolve) => {
    if (timeOut !== undefined) timer = setTimeout(() => resolve("timedOut"), timeOut);
  });
  try {
    const outcome = await Promise.race([download, timedOut, cancelled.promise]);
    if (
      outcome === "timedOut" &&
      behavior.timeOutBehavior !== OpenRealmTimeOutBehavior.OpenLocalRealm
    ) {
      throw new TimeoutError(`Realm could not be downloaded in the allocated time: ${timeOut} ms.`);
    }
    return outcome;
  } finally {
    clearTimeout(timer);
    cancelled.dispose();
    session.removeProgressNotification(forward);
  }
}

/**
 * A client reset as the app configured it (`sync.clientReset`, Realm JS v12): whether the local
 * state is reset to the server's fresh copy (recovering or discarding the unsynced changes) or
 * the app handles it itself, and the callbacks around it. The session (SyncSession) runs the
 * reset; the local side (LocalSyncState, integrateDownload) replaces the state.
 */
import { ClientResetMode } from "./SyncConfiguration.js";
import type {
  ClientResetAfterCallback,
  ClientResetConfig,
  ClientResetFallbackCallback,
} from "./SyncConfiguration.js";
import type { ClientResetMode as LocalResetMode } from "./local/syncTypes.js";

export type ResetPlan =
  | { readonly kind: "reset"; readonly mode: LocalResetMode }
  /** The session stops; the callback (or else `onError`) hears of it. */
  | { readonly kind: "handOver"; readonly callback: ClientResetFallbackCallback | undefined };

/** What a synced realm's session needs to run a client reset. */
export interface ClientResetHooks {
  /** The realm file's path, for `onManual` / `onFallback`. */
  readonly path: string;
  plan(recoveryDisabled: boolean): ResetPlan;
  /** Before the local state is replaced (at once when the server asks, or on reopening mid-reset). */
  before(): void;
  /** After it was replaced. */
  after(mode: LocalResetMode): void;
}

export function planClientReset<R>(
  config: ClientResetConfig<R> | undefined,
  recoveryDisabled: boolean,
): ResetPlan {
  const mode = config?.mode ?? ClientResetMode.RecoverOrDiscardUnsyncedChanges;
  switch (mode) {
    case ClientResetMode.Manual:
      return { kind: "handOver", callback: config?.onManual };
    case ClientResetMode.DiscardUnsyncedChanges:
      return { kind: "reset", mode: "discard" };
    case ClientResetMode.RecoverUnsyncedChanges:
      return recoveryDisabled
        ? { kind: "handOver", callback: config?.onFallback }
        : { kind: "reset", mode: "recover" };
    case ClientResetMode.RecoverOrDiscardUnsyncedChanges:
      return { kind: "reset", mode: recoveryDisabled ? "discard" : "recover" };
  }
}

/** The after-callback the configuration names for a reset that went `mode`. */
function afterCallback<R>(
  config: ClientResetConfig<R> | undefined,
  mode: LocalResetMode,
): ClientResetAfterCallback<R> | undefined {
  if (config?.mode !== ClientResetMode.RecoverOrDiscardUnsyncedChanges) return config?.onAfter;
  return (mode === "recover" ? config.onRecovery : config.onDiscard) ?? config.onAfter;
}

/** A read-only copy of the realm as it was, for the after-callback; `dispose` closes and deletes it. */
export interface RealmCopy<R> {
  readonly realm: R;
  dispose(): void;
}

export function clientResetHooks<R>(options: {
  readonly config: ClientResetConfig<R> | undefined;
  readonly path: string;
  /** The realm the callbacks are given. */
  readonly realm: R;
  readonly copy: () => RealmCopy<R>;
  readonly log: (message: string) => void;
}): ClientResetHooks {
  const { config, realm } = options;
  let before: RealmCopy<R> | undefined;
  /** A callback's throw is the app's bug: it is logged and the reset goes on. */
  const call = (name: string, run: () => void): void => {
    try {
      run();
    } catch (error) {
      options.log(`The client reset callback ${name} threw: ${(error as Error).message}`);
    }
  };
  return {
    path: options.path,
    plan: (recoveryDisabled) => planClientReset(config, recoveryDisabled),
    before() {
      if (config?.onBefore) call("onBefore", () => config.onBefore?.(realm));
      const wantsCopy =
        config?.onAfter !== undefined ||
        config?.onRecovery !== undefined ||
        config?.onDiscard !== undefined;
      if (wantsCopy && !before) before = options.copy();
    },
    after(mode) {
      const callback = afterCallback(config, mode);
      const copy = before;
      before = undefined;
      try {
        if (callback && copy) call("onAfter", () => callback(copy.realm, realm));
      } finally {
        copy?.dispose();
      }
    },
  };
}

/**
 * The `sync` part of a Realm configuration (Realm JS v12 names), its validation, where a
 * synced realm file lives by default, and the rules a synced schema must follow.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ClientErrorCode, RealmError } from "../errors.js";
import type { CanonicalObjectSchema } from "../schema/types.js";
import type { MutableSubscriptionSet } from "./SubscriptionSet.js";
import type { SyncError } from "./SyncError.js";
import type { SyncSession } from "./SyncSession.js";
import type { User } from "../app/User.js";
import type { OpenRealmBehaviorConfiguration } from "./types.js";

export interface InitialSubscriptions<R> {
  update: (mutableSubs: MutableSubscriptionSet, realm: R) => void;
  /** Run `update` on every open, not only when the file is first opened. */
  rerunOnOpen?: boolean;
}

export type ErrorCallback = (session: SyncSession, error: SyncError) => void;

/** What a synced realm does when the server asks for a client reset (Realm JS v12 names). */
export const ClientResetMode = {
  /** The session stops; `onManual` (or `onError`) hears of it, the file is left as it is. */
  Manual: "manual",
  /** The local state becomes the server's fresh copy; unsynced changes are dropped. */
  DiscardUnsyncedChanges: "discardUnsyncedChanges",
  /** Unsynced changes are redone on the fresh copy where they still apply, then uploaded. */
  RecoverUnsyncedChanges: "recoverUnsyncedChanges",
  /** Recover, or discard when the app does not allow recovery. The default. */
  RecoverOrDiscardUnsyncedChanges: "recoverOrDiscardUnsyncedChanges",
} as const;
export type ClientResetMode = (typeof ClientResetMode)[keyof typeof ClientResetMode];

export type ClientResetFallbackCallback = (session: SyncSession, path: string) => void;
export type ClientResetBeforeCallback<R> = (localRealm: R) => void;
export type ClientResetAfterCallback<R> = (beforeRealm: R, afterRealm: R) => void;

export interface ClientResetConfig<R = unknown> {
  mode: ClientResetMode;
  /** Manual mode: told instead of `onError`. */
  onManual?: ClientResetFallbackCallback;
  /** Before the reset, with the realm as it still is. */
  onBefore?: ClientResetBeforeCallback<R>;
  /** After it: a read-only copy of the realm as it was, and the live realm as it is now. */
  onAfter?: ClientResetAfterCallback<R>;
  /** recoverOrDiscard: after the changes were recovered. */
  onRecovery?: ClientResetAfterCallback<R>;
  /** recoverOrDiscard: after the changes were discarded (recovery not allowed). */
  onDiscard?: ClientResetAfterCallback<R>;
  /** Recovery was not possible: the session stopped, as in manual mode. */
  onFallback?: ClientResetFallbackCallback;
}

export interface SyncConfiguration<R = unknown> {
  user: User;
  flexible: true;
  initialSubscriptions?: InitialSubscriptions<R>;
  onError?: ErrorCallback;
  newRealmFileBehavior?: OpenRealmBehaviorConfiguration;
  existingRealmFileBehavior?: OpenRealmBehaviorConfiguration;
  /** Defaults to recoverOrDiscardUnsyncedChanges. */
  clientReset?: ClientResetConfig<R>;
}

/**
 * A sync configuration without a user: the realm records its upload log but has no session.
 * The local sync layers' tests use it; applications always give a user.
 */
export interface UploadLogOnlyConfiguration {
  user?: undefined;
  flexible?: true;
}

const RESET_CALLBACKS = [
  "onManual",
  "onBefore",
  "onAfter",
  "onRecovery",
  "onDiscard",
  "onFallback",
] as const;

function invalid(message: string): RealmError {
  return new RealmError(ClientErrorCode.InvalidArgument, message);
}

/** The configuration of a synced realm; undefined for an upload-log-only one. */
export function checkSyncConfiguration<R>(sync: unknown): SyncConfiguration<R> | undefined {
  if (sync === null || typeof sync !== "object")
    throw invalid("Expected 'sync' to be an object with a user and flexible: true");
  const config = sync as Partial<SyncConfiguration<R>> & { partitionValue?: unknown };
  if (config.user === undefined && Object.keys(config).every((key) => key === "flexible"))
    return undefined;
  if (config.partitionValue !== undefined)
    throw invalid("Partition-based sync is not supported: use flexible: true");
  if (config.flexible !== true) throw invalid("Expected 'sync.flexible' to be true");
  const user = config.user;
  if (!user || typeof user !== "object" || typeof user.id !== "string")
    throw invalid("Expected 'sync.user' to be a user of an App");
  if (!user.isLoggedIn) throw invalid(`The user '${user.id}' is not logged in`);
  if (config.onError !== undefined && typeof config.onError !== "function")
    throw invalid("Expected 'sync.onError' to be a function");
  const reset = config.clientReset;
  if (reset !== undefined) {
    const modes: readonly unknown[] = Object.values(ClientResetMode);
    if (reset === null || typeof reset !== "object" || !modes.includes(reset.mode))
      throw invalid(`Expected 'sync.clientReset.mode' to be one of ${modes.join(", ")}`);
    for (const name of RESET_CALLBACKS)
      if (reset[name] !== undefined && typeof reset[name] !== "function")
        throw invalid(`Expected 'sync.clientReset.${name}' to be a function`);
  }
  const initial = config.initialSubscriptions;
  if (initial !== undefined && typeof initial?.update !== "function")
    throw invalid("Expected 'sync.initialSubscriptions.update' to be a function");
  return config as SyncConfiguration<R>;
}

/** `<baseFilePath>/mongodb-realm/<appId>/<userId>/flx_sync_default.realm`, directories made. */
export function defaultSyncedPath(user: User): string {
  const dir = join(user.app.fileDirectory, user.id);
  mkdirSync(dir, { recursive: true });
  return join(dir, "flx_sync_default.realm");
}

/** Every synced top-level type needs a primary key stored as `_id`. */
export function checkSyncedSchema(schema: readonly CanonicalObjectSchema[]): void {
  for (const object of schema) {
    if (object.embedded) continue;
    const pk = object.primaryKey === undefined ? undefined : object.properties[object.primaryKey];
    if (!pk || pk.mapTo !== "_id") {
      throw new RealmError(
        ClientErrorCode.InvalidSchema,
        `There must be a primary key property named '_id' on a synchronized Realm but none was found for type '${object.name}'`,
        { details: { objectType: object.name } },
      );
    }
  }
}

/** The schema as `bind` carries it: stored names, types, links, optionality. */
export function bindSchema(schema: readonly CanonicalObjectSchema[]): Record<string, unknown>[] {
  return schema.map((object) => {
    const properties: Record<string, unknown> = {};
    for (const property of Object.values(object.properties)) {
      if (property.type === "linkingObjects") continue;
      properties[property.mapTo] = {
        type: property.type,
        ...(property.objectType !== undefined ? { objectType: property.objectType } : {}),
        optional: property.optional,
        ...(property.presentation ? { presentation: property.presentation } : {}),
      };
    }
    const pk = object.primaryKey === undefined ? undefined : object.properties[object.primaryKey];
    return {
      name: object.name,
      ...(pk ? { primaryKey: pk.mapTo } : {}),
      embedded: object.embedded,
      asymmetric: object.asymmetric,
      properties,
    };
  });
}

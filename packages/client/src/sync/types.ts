/**
 * The sync session's vocabulary: the state enums users compare against (Realm JS v12 names),
 * the open behaviours of a synced realm, and the part of the file's local sync state the
 * session drives.
 */
import type { LocalSyncState } from "./local/LocalSyncState.js";

/** The part of the file's local sync state (`LocalSyncState`) the session drives. */
export type LocalSyncPort = Pick<
  LocalSyncState,
  | "metadata"
  | "downloadedServerVersion"
  | "saveMetadata"
  | "beginClientReset"
  | "pendingReset"
  | "pendingUploads"
  | "lastClientVersion"
  | "integrate"
  | "onLocalCommit"
  | "onIntegrateError"
  | "whenIdle"
>;

/** The values of a const-object enum, as its type. */
type ValueOf<T> = T[keyof T];

export const ConnectionState = {
  Disconnected: "disconnected",
  Connecting: "connecting",
  Connected: "connected",
} as const;
export type ConnectionState = ValueOf<typeof ConnectionState>;

export const SessionState = { Active: "active", Inactive: "inactive", Invalid: "invalid" } as const;
export type SessionState = ValueOf<typeof SessionState>;

export const SubscriptionSetState = {
  Pending: "pending",
  Complete: "complete",
  Error: "error",
  Superseded: "superseded",
} as const;
export type SubscriptionSetState = ValueOf<typeof SubscriptionSetState>;

export const ProgressDirection = { Download: "download", Upload: "upload" } as const;
export type ProgressDirection = ValueOf<typeof ProgressDirection>;

export const ProgressMode = {
  ReportIndefinitely: "reportIndefinitely",
  ForCurrentlyOutstandingWork: "forCurrentlyOutstandingWork",
} as const;
export type ProgressMode = ValueOf<typeof ProgressMode>;

export const OpenRealmBehaviorType = {
  DownloadBeforeOpen: "downloadBeforeOpen",
  OpenImmediately: "openImmediately",
} as const;
export type OpenRealmBehaviorType = ValueOf<typeof OpenRealmBehaviorType>;

export const OpenRealmTimeOutBehavior = {
  OpenLocalRealm: "openLocalRealm",
  ThrowException: "throwException",
} as const;
export type OpenRealmTimeOutBehavior = ValueOf<typeof OpenRealmTimeOutBehavior>;

/** When `Results.subscribe()` waits for the subscription's data (Realm JS v12 values). */
export const WaitForSync = {
  /** Only when the query was not subscribed to yet (the default). */
  FirstTime: "first-time",
  /** Every time. */
  Always: "always",
  /** Never: resolves once the subscription is committed locally. */
  Never: "never",
} as const;
export type WaitForSync = ValueOf<typeof WaitForSync>;

export interface OpenRealmBehaviorConfiguration {
  type: OpenRealmBehaviorType;
  timeOut?: number;
  timeOutBehavior?: OpenRealmTimeOutBehavior;
}

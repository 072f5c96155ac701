/**
 * The sync session's vocabulary: the state enums users compare against (Realm JS v12 names),
 * the open behaviours of a synced realm, and the part of the file's local sync state the
 * session drives.
 */
import type { LocalSyncState } from "./local/LocalSyncState.js";

/** The part of the file's local sync state (`LocalSyncState`) the session drives. */
export type LocalSyncPort = Pick<
  LocalSyncState,
  | "asymmetricTypes"
  | "metadata"
  | "saveMetadata"
  | "pendingUploads"
  | "lastClientVersion"
  | "integrate"
  | "onLocalCommit"
  | "onIntegrateError"
  | "whenIdle"
>;

export const ConnectionState = {
  Disconnected: "disconnected",
  Connecting: "connecting",
  Connected: "connected",
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

export const SessionState = { Active: "active", Inactive: "inactive", Invalid: "invalid" } as const;
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

export const SubscriptionSetState = {
  Pending: "pending",
  Complete: "complete",
  Error: "error",
  Superseded: "superseded",
} as const;
export type SubscriptionSetState = (typeof SubscriptionSetState)[keyof typeof SubscriptionSetState];

export const ProgressDirection = { Download: "download", Upload: "upload" } as const;
export type ProgressDirection = (typeof ProgressDirection)[keyof typeof ProgressDirection];

export const ProgressMode = {
  ReportIndefinitely: "reportIndefinitely",
  ForCurrentlyOutstandingWork: "forCurrentlyOutstandingWork",
} as const;
export type ProgressMode = (typeof ProgressMode)[keyof typeof ProgressMode];

export const OpenRealmBehaviorType = {
  DownloadBeforeOpen: "downloadBeforeOpen",
  OpenImmediately: "openImmediately",
} as const;
export type OpenRealmBehaviorType =
  (typeof OpenRealmBehaviorType)[keyof typeof OpenRealmBehaviorType];

export const OpenRealmTimeOutBehavior = {
  OpenLocalRealm: "openLocalRealm",
  ThrowException: "throwException",
} as const;
export type OpenRealmTimeOutBehavior =
  (typeof OpenRealmTimeOutBehavior)[keyof typeof OpenRealmTimeOutBehavior];

export interface OpenRealmBehaviorConfiguration {
  type: OpenRealmBehaviorType;
  timeOut?: number;
  timeOutBehavior?: OpenRealmTimeOutBehavior;
}

/**
 * The shapes the sync layer shares: the sync configuration a Realm is opened with (Realm JS v12
 * names), the state enums users compare against, and the two narrow ports it needs from the
 * rest of the client — the logged-in user (App/User) and the file's local sync state.
 */
import type { Instruction } from "@atoll/protocol";

/** What the session needs of a user: its identity, a token to connect with, a way to renew it. */
export interface SyncUser {
  readonly id: string;
  readonly accessToken: string | null;
  readonly isLoggedIn: boolean;
  refreshAccessToken(): Promise<void>;
  readonly app: SyncApp;
}

export interface SyncApp {
  readonly id: string;
  /** The WebSocket URL of the sync endpoint. */
  syncRoute(): Promise<string>;
  /** `<baseFilePath>/mongodb-realm/<appId>`: synced realm files go under it by default. */
  readonly fileDirectory?: string;
}

export interface SyncMetadata {
  clientFileIdent: { ident: number; salt: number } | null;
  download: { serverVersion: number; lastIntegratedClientVersion: number };
  latestServerVersion: { version: number; salt: number };
  subscriptions: unknown;
}

export interface DownloadedChangeset {
  serverVersion: number;
  lastIntegratedClientVersion: number;
  originFileIdent: number;
  originTimestamp: number;
  instructions: Instruction[];
}

export interface PendingUpload {
  clientVersion: number;
  originTimestamp: number;
  changeset: Uint8Array;
}

/** The part of the file's local sync state (`LocalSyncState`) the session drives. */
export interface LocalSyncPort {
  readonly asymmetricTypes: ReadonlySet<string>;
  metadata(): SyncMetadata;
  saveMetadata(patch: Partial<SyncMetadata>): void;
  pendingUploads(afterClientVersion?: number): PendingUpload[];
  lastClientVersion(): number;
  integrate(download: {
    changesets: DownloadedChangeset[];
    uploadAcknowledged: number;
    metadata?: Partial<SyncMetadata>;
  }): void;
  onLocalCommit(listener: (clientVersion: number) => void): () => void;
}

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

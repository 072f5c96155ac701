/**
 * Applies `download` messages to the file through its local sync state: a steady-state
 * download at once; bootstrap batches of one query version buffered until the last one
 * (batchState 1), then applied in one transaction together with making that subscription set
 * the active one, which is marked complete once applied. One per connection: a bootstrap cut
 * by a lost connection is dropped and sent again by the server. During a client reset, the
 * bootstrap of the set the reset asked for again (or, without subscriptions, the first
 * download) is the fresh copy that replaces the local state.
 */
import { BatchState, decodeChangeset } from "@atoll/protocol";
import type { DownloadMessage } from "@atoll/protocol";
import type { ClientResetMode, DownloadedChangeset, SyncMetadata } from "./local/syncTypes.js";
import type { SubscriptionStore } from "./SubscriptionStore.js";
import type { LocalSyncPort } from "./types.js";

export interface AppliedDownload {
  /** Changeset bytes received. */
  readonly bytes: number;
  /** The upload acknowledgement, when this message was applied (not only buffered). */
  readonly acknowledged: number | undefined;
  /** The query version a bootstrap completed. */
  readonly completedQueryVersion: number | undefined;
  /** The mode of the client reset this message completed (applied, or queued behind a write transaction). */
  readonly completedReset: ClientResetMode | undefined;
}

export class DownloadApplier {
  private bootstrap: { queryVersion: number; changesets: DownloadedChangeset[] } | undefined;

  constructor(
    private readonly local: LocalSyncPort,
    private readonly subscriptions: SubscriptionStore,
  ) {}

  /**
   * The server refused a subscription set. When it is the one a client reset asked for again,
   * the fresh copy is an empty view: the reset completes with it (returns its mode).
   */
  refused(queryVersion: number): ClientResetMode | undefined {
    const reset = this.local.pendingReset();
    if (reset?.queryVersion !== queryVersion) return undefined;
    this.local.integrate({ changesets: [], uploadAcknowledged: 0, resetMode: reset.mode });
    return reset.mode;
  }

  /** Throws what decoding or `integrate` throws (a bad changeset); nothing is applied then. */
  apply(message: DownloadMessage): AppliedDownload {
    const changesets = message.changesets.map((changeset) => ({
      serverVersion: changeset.serverVersion,
      lastIntegratedClientVersion: changeset.lastIntegratedClientVersion,
      originFileIdent: changeset.originFileIdent,
      originTimestamp: changeset.originTimestamp,
      instructions: decodeChangeset(changeset.changeset),
    }));
    const bytes = message.changesets.reduce((sum, c) => sum + c.changeset.byteLength, 0);
    const metadata: Partial<SyncMetadata> = {
      download: message.download,
      latestServerVersion: message.latestServerVersion,
    };
    const acknowledged = message.upload.clientVersion;
    const reset = this.local.pendingReset();
    if (message.batchState === BatchState.SteadyState) {
      const completedReset = reset?.queryVersion === 0 ? reset.mode : undefined;
      this.local.integrate({
        changesets,
        uploadAcknowledged: acknowledged,
        metadata,
        ...(completedReset ? { resetMode: completedReset } : {}),
      });
      return { bytes, acknowledged, completedQueryVersion: undefined, completedReset };
    }
    if (this.bootstrap?.queryVersion !== message.queryVersion)
      this.bootstrap = { queryVersion: message.queryVersion, changesets: [] };
    this.bootstrap.changesets.push(...changesets);
    if (message.batchState === BatchState.MoreToCome)
      return {
        bytes,
        acknowledged: undefined,
        completedQueryVersion: undefined,
        completedReset: undefined,
      };

    const { queryVersion, changesets: all } = this.bootstrap;
    this.bootstrap = undefined;
    const subscriptions = this.subscriptions;
    const completedReset = reset?.queryVersion === queryVersion ? reset.mode : undefined;
    this.local.integrate({
      changesets: all,
      uploadAcknowledged: acknowledged,
      metadata: { ...metadata, ...subscriptions.completionPatch(queryVersion) },
      ...(completedReset ? { resetMode: completedReset } : {}),
    });
    // Complete once applied: a bootstrap that arrived during a write transaction waits for it.
    void this.local.whenIdle().then(() => subscriptions.completed(queryVersion));
    return { bytes, acknowledged, completedQueryVersion: queryVersion, completedReset };
  }
}

/**
 * Applies `download` messages to the file through its local sync state: a steady-state
 * download at once; bootstrap batches of one query version buffered until the last one
 * (batchState 1), then applied in one transaction together with making that subscription set
 * the active one, which is marked complete once applied. One per connection: a bootstrap cut
 * by a lost connection is dropped and sent again by the server.
 */
import { BatchState, decodeChangeset } from "@atoll/protocol";
import type { DownloadMessage } from "@atoll/protocol";
import type { DownloadedChangeset, SyncMetadata } from "./local/syncTypes.js";
import type { SubscriptionStore } from "./SubscriptionStore.js";
import type { LocalSyncPort } from "./types.js";

export interface AppliedDownload {
  /** Changeset bytes received. */
  readonly bytes: number;
  /** The upload acknowledgement, when this message was applied (not only buffered). */
  readonly acknowledged: number | undefined;
  /** The query version a bootstrap completed. */
  readonly completedQueryVersion: number | undefined;
}

export class DownloadApplier {
  private bootstrap: { queryVersion: number; changesets: DownloadedChangeset[] } | undefined;

  constructor(
    private readonly local: LocalSyncPort,
    private readonly subscriptions: SubscriptionStore,
  ) {}

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
    if (message.batchState === BatchState.SteadyState) {
      this.local.integrate({ changesets, uploadAcknowledged: acknowledged, metadata });
      return { bytes, acknowledged, completedQueryVersion: undefined };
    }
    if (this.bootstrap?.queryVersion !== message.queryVersion)
      this.bootstrap = { queryVersion: message.queryVersion, changesets: [] };
    this.bootstrap.changesets.push(...changesets);
    if (message.batchState === BatchState.MoreToCome)
      return { bytes, acknowledged: undefined, completedQueryVersion: undefined };

    const { queryVersion, changesets: all } = this.bootstrap;
    this.bootstrap = undefined;
    const subscriptions = this.subscriptions;
    this.local.integrate({
      changesets: all,
      uploadAcknowledged: acknowledged,
      metadata: { ...metadata, ...subscriptions.completionPatch(queryVersion) },
    });
    // Complete once applied: a bootstrap that arrived during a write transaction waits for it.
    void this.local.whenIdle().then(() => subscriptions.completed(queryVersion));
    return { bytes, acknowledged, completedQueryVersion: queryVersion };
  }
}

/**
 * What the session knows about its uploads: the highest client version the server
 * acknowledged, the waits of `uploadAllLocalChanges`, and the byte counts behind upload
 * progress. (The server version each changeset was based on is kept with it in the file.)
 */
import type { LocalSyncPort } from "./types.js";

export class UploadTracker {
  /** Highest client version the server has integrated. */
  acknowledged: number;
  private readonly sizes = new Map<number, number>();
  private acknowledgedBytes = 0;
  private seenUpTo = 0;
  private pendingBytes = 0;
  private waiters: { version: number; resolve(): void; reject(e: Error): void }[] = [];

  constructor(
    private readonly local: LocalSyncPort,
    private readonly progress: (transferred: number, transferable: number) => void,
  ) {
    this.acknowledged = this.settledThrough();
  }

  /**
   * A client reset dropped the unsynced changesets: waits for them end as for acknowledged
   * ones (the reset told the app what became of them).
   */
  dropped(): void {
    this.acknowledge(this.settledThrough());
  }

  /** Every changeset up to the first one still in the upload log. */
  private settledThrough(): number {
    const first = this.local.pendingUploads()[0];
    return first ? first.clientVersion - 1 : this.local.lastClientVersion();
  }

  /** A local commit appended a changeset. */
  committed(): void {
    this.report();
  }

  sent(clientVersions: readonly number[]): void {
    void clientVersions;
    this.report();
  }

  acknowledge(clientVersion: number): void {
    if (clientVersion <= this.acknowledged) return;
    for (const [version, size] of this.sizes) {
      if (version > clientVersion) continue;
      this.acknowledgedBytes += size;
      this.pendingBytes -= size;
      this.sizes.delete(version);
    }
    this.acknowledged = clientVersion;
    this.report();
    const still = [];
    for (const waiter of this.waiters) {
      if (waiter.version <= clientVersion) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
  }

  waitFor(version: number): Promise<void> {
    if (version <= this.acknowledged) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ version, resolve, reject }));
  }

  abandon(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /** Reads only changesets not seen before, so a commit costs the same however many wait. */
  private report(): void {
    for (const upload of this.local.pendingUploads(Math.max(this.acknowledged, this.seenUpTo))) {
      if (!this.sizes.has(upload.clientVersion)) this.pendingBytes += upload.changeset.byteLength;
      this.sizes.set(upload.clientVersion, upload.changeset.byteLength);
      this.seenUpTo = upload.clientVersion;
    }
    this.progress(this.acknowledgedBytes, this.acknowledgedBytes + this.pendingBytes);
  }
}

/**
 * The client's local side of sync for one Database: the durable sync metadata, the pending
 * (unacknowledged) local changesets of the upload log, local-commit listeners, and `integrate`
 * (see integrateDownload.ts), which waits for an open write transaction to end and notifies
 * listeners once per download.
 */
import type { Database } from "../../core/Database.js";
import { currentTransaction } from "../../transaction/openTransaction.js";
import type { WriteTransaction } from "../../transaction/WriteTransaction.js";
import { DownloadIntegrator } from "./integrateDownload.js";
import { PendingChangesets } from "./PendingChangesets.js";
import { initialMetadata } from "./syncTypes.js";
import type { ClientResetState, Download, PendingUpload, SyncMetadata } from "./syncTypes.js";

const states = new WeakMap<Database, LocalSyncState>();

/** One per Database: every Realm instance open on one file shares it. */
export function localSyncStateFor(db: Database): LocalSyncState {
  let state = states.get(db);
  if (!state) states.set(db, (state = new LocalSyncState(db)));
  return state;
}

export class LocalSyncState {
  private current: SyncMetadata;
  /** Downloads that arrived while a write transaction was open, applied in order after it. */
  private readonly queued: Download[] = [];
  private readonly errorListeners = new Set<(error: unknown) => void>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly integrator: DownloadIntegrator;
  /** The upload log's pending changesets, kept in memory between downloads. */
  private readonly pending: PendingChangesets;

  constructor(private readonly db: Database) {
    this.pending = new PendingChangesets(db.store);
    this.integrator = new DownloadIntegrator(db, this.pending);
    db.changesetBase = () => this.current.download.serverVersion;
    const stored = db.store.readSyncMetadata();
    this.current = stored
      ? { ...initialMetadata(), ...(JSON.parse(stored) as Partial<SyncMetadata>) }
      : initialMetadata();
    // Keys named by undo images stay reserved, so a new object never takes one of them.
    for (const change of this.pending.current())
      for (const entry of change.undo) if (entry.key >= db.nextKey) db.nextKey = entry.key + 1;
  }

  metadata(): SyncMetadata {
    return structuredClone(this.current);
  }

  /** The download cursor's server version (what `metadata()` holds, without copying it all). */
  downloadedServerVersion(): number {
    return this.current.download.serverVersion;
  }

  /** Durable on return. */
  saveMetadata(patch: Partial<SyncMetadata>): void {
    const next = { ...this.current, ...patch };
    this.db.store.commit({ upserts: [], deletes: [], syncMetadata: JSON.stringify(next) });
    this.current = next;
  }

  /**
   * Starts a client reset: the file forgets its identity and download cursor (the server
   * gives it a new identity and a fresh copy of its view), and remembers until that copy is
   * applied what to do with the unsynced changes, which stay in the upload log meanwhile.
   * Durable on return.
   */
  beginClientReset(reset: ClientResetState): void {
    this.saveMetadata({
      clientFileIdent: null,
      download: { serverVersion: 0, lastIntegratedClientVersion: 0 },
      latestServerVersion: { version: 0, salt: 0 },
      reset,
    });
  }

  /** The client reset under way, if one is. */
  pendingReset(): ClientResetState | null {
    return this.current.reset ?? null;
  }

  /** Unacknowledged local changesets after `afterClientVersion`, oldest first. */
  pendingUploads(afterClientVersion = 0): PendingUpload[] {
    return this.db.store.readUploadLog(afterClientVersion).map((entry) => ({
      clientVersion: entry.version,
      originTimestamp: entry.createdAt,
      lastIntegratedServerVersion: entry.baseServerVersion,
      changeset: entry.changeset,
    }));
  }

  /** The highest local changeset version ever committed, 0 if none. */
  lastClientVersion(): number {
    return this.db.store.lastUploadVersion();
  }

  /** Called after each local commit that appended a changeset. */
  onLocalCommit(listener: (clientVersion: number) => void): () => void {
    this.db.changesetListeners.add(listener);
    return () => this.db.changesetListeners.delete(listener);
  }

  /** Told when a download queued behind a write transaction could not be applied (a BadChangesetError). */
  onIntegrateError(listener: (error: unknown) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** Resolves once no download waits for a write transaction (at once when none does). */
  whenIdle(): Promise<void> {
    if (this.queued.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Applies one download (or one whole bootstrap) atomically; see the sync contract. Throws
   * BadChangesetError when an instruction cannot be applied, and then nothing changed. While a
   * write transaction is open the download waits and is applied right after it ends.
   */
  integrate(download: Download): void {
    const txn = currentTransaction(this.db);
    if (txn || this.queued.length > 0) {
      this.queued.push(download);
      if (this.queued.length === 1) this.waitFor(txn);
      return;
    }
    this.apply(download);
  }

  private waitFor(txn: WriteTransaction | undefined): void {
    const drain = (): void => {
      const open = currentTransaction(this.db);
      if (open) {
        open.onEnd(() => queueMicrotask(drain));
        return;
      }
      // Every realm on the file closed meanwhile: the store is gone. The download cursor did not
      // move, so the server sends these again on the next session.
      if (this.db.contexts.size === 0) this.queued.length = 0;
      for (let next = this.queued[0]; next; next = this.queued[0]) {
        try {
          this.apply(next);
        } catch (error) {
          for (const listener of this.errorListeners) listener(error);
          if (this.errorListeners.size === 0)
            queueMicrotask(() => {
              throw error;
            });
        }
        this.queued.shift();
      }
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    };
    if (txn) txn.onEnd(() => queueMicrotask(drain));
    else queueMicrotask(drain);
  }

  private apply(download: Download): void {
    // A reset's fresh copy ends the reset. Two downloads queued behind a write transaction may
    // both have looked like it: only the first one is.
    const resetMode = this.current.reset ? download.resetMode : undefined;
    const metadata = {
      ...this.current,
      ...download.metadata,
      ...(resetMode ? { reset: null } : {}),
    };
    const changes = this.integrator.integrate(download, metadata, resetMode);
    this.current = metadata;
    const changed = changes.inserted.size + changes.deleted.size + changes.modified.size > 0;
    if (changed) for (const context of this.db.contexts) context.onCommit(changes);
  }
}

/**
 * The client's local side of sync for one Database: the durable sync metadata, the pending
 * (unacknowledged) local changesets of the upload log, and `integrate`, which applies a
 * download by rebasing: undo pending changesets, apply the server's, confirm acknowledged ones,
 * redo the rest — one atomic store commit and one listener notification.
 */
import { decodeChangeset } from "@atoll/protocol";
import type { Instruction, PrimaryKey } from "@atoll/protocol";
import type { Database } from "../../core/Database.js";
import type { ObjectRow } from "../../schema/ClassInfo.js";
import { currentTransaction } from "../../transaction/openTransaction.js";
import { ObjectWriter } from "../../transaction/ObjectWriter.js";
import { decodeUndo } from "../../transaction/undoImages.js";
import type { UndoEntry } from "../../transaction/undoImages.js";
import { WriteTransaction } from "../../transaction/WriteTransaction.js";
import { InstructionApplier } from "./InstructionApplier.js";
import { initialMetadata } from "./syncTypes.js";
import type { Download, PendingUpload, SyncMetadata } from "./syncTypes.js";
import { ChangesetUndoer } from "./undoChangesets.js";

interface PendingChange {
  readonly version: number;
  readonly instructions: Instruction[];
  readonly undo: UndoEntry[];
}

/** Own changesets the download confirms: acknowledged, or integrated before one of its changesets. */
function confirmedThrough(download: Download): number {
  let through = download.uploadAcknowledged;
  for (const changeset of download.changesets)
    through = Math.max(through, changeset.lastIntegratedClientVersion);
  return through;
}

/** Whether any object (table and primary key, or link target) is named by both. */
function sharesObjects(download: Download, pending: readonly PendingChange[]): boolean {
  const named = new Set<string>();
  for (const change of pending)
    for (const instruction of change.instructions) addNames(instruction, named);
  const downloaded = new Set<string>();
  for (const changeset of download.changesets)
    for (const instruction of changeset.instructions) addNames(instruction, downloaded);
  for (const name of downloaded) if (named.has(name)) return true;
  return false;
}

function addNames(instruction: Instruction, names: Set<string>): void {
  names.add(objectName(instruction.table, instruction.pk));
  const value = "value" in instruction ? instruction.value : null;
  if (value !== null && typeof value === "object" && "$link" in value)
    names.add(objectName(value.$link.table, value.$link.pk));
}

function objectName(table: string, pk: PrimaryKey): string {
  if (pk === null) return `${table}:null`;
  if (typeof pk === "string") return `${table}:s${pk}`;
  return `${table}:${pk.toString()}`;
}

const states = new WeakMap<Database, LocalSyncState>();

/** One per Database: every Realm instance open on one file shares it. */
export function localSyncStateFor(db: Database): LocalSyncState {
  let state = states.get(db);
  if (!state) states.set(db, (state = new LocalSyncState(db)));
  return state;
}

export class LocalSyncState {
  readonly asymmetricTypes: ReadonlySet<string>;
  private current: SyncMetadata;
  /** Downloads that arrived while a write transaction was open, applied in order after it. */
  private readonly queued: Download[] = [];
  private readonly errorListeners = new Set<(error: unknown) => void>();
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly db: Database) {
    this.asymmetricTypes = new Set(
      [...db.classes.values()].filter((cls) => cls.asymmetric).map((cls) => cls.name),
    );
    const stored = db.store.readSyncMetadata();
    this.current = stored
      ? { ...initialMetadata(), ...(JSON.parse(stored) as Partial<SyncMetadata>) }
      : initialMetadata();
    // Keys named by undo images stay reserved, so a new object never takes one of them.
    for (const change of this.loadPending())
      for (const entry of change.undo) if (entry.key >= db.nextKey) db.nextKey = entry.key + 1;
  }

  metadata(): SyncMetadata {
    return structuredClone(this.current);
  }

  /** Durable on return. */
  saveMetadata(patch: Partial<SyncMetadata>): void {
    const next = { ...this.current, ...patch };
    this.db.store.commit({ upserts: [], deletes: [], syncMetadata: JSON.stringify(next) });
    this.current = next;
  }

  /** Unacknowledged local changesets after `afterClientVersion`, oldest first. */
  pendingUploads(afterClientVersion = 0): PendingUpload[] {
    return this.db.store.readUploadLog(afterClientVersion).map((entry) => ({
      clientVersion: entry.version,
      originTimestamp: entry.createdAt,
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

  private loadPending(): PendingChange[] {
    const undo = this.db.store.readUndoLog();
    return this.db.store.readUploadLog().map((entry) => {
      const data = undo.get(entry.version);
      return {
        version: entry.version,
        instructions: decodeChangeset(entry.changeset),
        undo: data ? decodeUndo(data) : [],
      };
    });
  }

  private apply(download: Download): void {
    const pending = this.loadPending();
    const metadata = { ...this.current, ...download.metadata };
    let changes = this.tryFastPath(download, pending, metadata);
    changes ??= this.rebase(download, pending, metadata);
    this.current = metadata;
    const changed = changes.inserted.size + changes.deleted.size + changes.modified.size > 0;
    if (changed) for (const context of this.db.contexts) context.onCommit(changes);
  }

  /**
   * Without undo/redo: applies the download on top of the pending changesets. Only valid when
   * the download names no object a pending changeset names, and changes no row a pending
   * changeset changed (its undo images would be stale); otherwise rolls back and returns
   * undefined.
   */
  private tryFastPath(
    download: Download,
    pending: PendingChange[],
    metadata: SyncMetadata,
  ): ReturnType<WriteTransaction["commit"]> | undefined {
    if (pending.length > 0 && sharesObjects(download, pending)) return undefined;
    const txn = new WriteTransaction(this.db, { record: false, netChanges: true });
    const writer = new ObjectWriter(this.db, txn);
    const applier = new InstructionApplier(this.db, txn, writer);
    try {
      for (const changeset of download.changesets)
        applier.applyChangeset(changeset.instructions, "strict");
      if (pending.length > 0) {
        const pendingKeys = new Set<number>();
        for (const change of pending) for (const entry of change.undo) pendingKeys.add(entry.key);
        for (const row of txn.touchedRows()) {
          if (!pendingKeys.has(row.key)) continue;
          txn.rollback();
          return undefined;
        }
      }
      const through = confirmedThrough(download);
      const confirmed = pending.filter((change) => change.version <= through);
      this.deleteIngested(applier, writer, confirmed);
      return this.commit(txn, confirmed, [], metadata);
    } catch (error) {
      txn.rollback();
      throw error;
    }
  }

  private rebase(
    download: Download,
    pending: PendingChange[],
    metadata: SyncMetadata,
  ): ReturnType<WriteTransaction["commit"]> {
    const txn = new WriteTransaction(this.db, { record: false, netChanges: true });
    const writer = new ObjectWriter(this.db, txn);
    const applier = new InstructionApplier(this.db, txn, writer);
    try {
      const undoer = new ChangesetUndoer(this.db, txn, applier);
      for (let i = pending.length - 1; i >= 0; i--) undoer.undo((pending[i] as PendingChange).undo);
      const remaining = [...pending];
      const confirmed: PendingChange[] = [];
      const confirmThrough = (version: number): void => {
        while (remaining[0] && remaining[0].version <= version) {
          const change = remaining.shift() as PendingChange;
          applier.applyChangeset(change.instructions, "lenient");
          confirmed.push(change);
        }
      };
      for (const changeset of download.changesets) {
        confirmThrough(changeset.lastIntegratedClientVersion);
        applier.applyChangeset(changeset.instructions, "strict");
      }
      confirmThrough(confirmedThrough(download));
      this.deleteIngested(applier, writer, confirmed);
      const undoUpdates = remaining.map((change) => {
        txn.startCapture();
        applier.applyChangeset(change.instructions, "lenient");
        return { version: change.version, undo: txn.endCapture() };
      });
      for (const cls of applier.revivedClasses) this.db.reorder(cls);
      return this.commit(txn, confirmed, undoUpdates, metadata);
    } catch (error) {
      txn.rollback();
      throw error;
    }
  }

  /** Local copies of asymmetric objects the server has acknowledged go (never uploaded). */
  private deleteIngested(
    applier: InstructionApplier,
    writer: ObjectWriter,
    confirmed: readonly PendingChange[],
  ): void {
    if (this.asymmetricTypes.size === 0) return;
    for (const change of confirmed) {
      for (const instruction of change.instructions) {
        if (instruction.type !== "CreateObject" || !this.asymmetricTypes.has(instruction.table))
          continue;
        const row: ObjectRow | undefined = applier.findObject(instruction.table, instruction.pk);
        if (row) writer.delete(row);
      }
    }
  }

  private commit(
    txn: WriteTransaction,
    confirmed: readonly PendingChange[],
    undoUpdates: { version: number; undo: Uint8Array }[],
    metadata: SyncMetadata,
  ): ReturnType<WriteTransaction["commit"]> {
    const trimThrough = confirmed.at(-1)?.version;
    return txn.commit({
      syncMetadata: JSON.stringify(metadata),
      ...(trimThrough !== undefined ? { trimUploadLogThrough: trimThrough } : {}),
      ...(undoUpdates.length > 0 ? { undoUpdates } : {}),
    });
  }
}

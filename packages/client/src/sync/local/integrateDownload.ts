/**
 * Integrating one download into the live state (see LocalSyncState.integrate): a fast path that
 * applies it on top of the pending local changesets when they share nothing, else the rebase —
 * undo pending changesets newest first, apply the server changesets in order (each preceded by
 * the own changesets it integrated), confirm the acknowledged ones, redo the rest capturing
 * fresh undo images. Either way one transaction and one store commit with the sync metadata.
 */
import type { Instruction, PrimaryKey } from "@atoll/protocol";
import type { Database } from "../../core/Database.js";
import type { CommitChanges } from "../../transaction/changes.js";
import { ObjectWriter } from "../../transaction/ObjectWriter.js";
import { WriteTransaction } from "../../transaction/WriteTransaction.js";
import { InstructionApplier } from "./InstructionApplier.js";
import type { PendingChange, PendingChangesets } from "./PendingChangesets.js";
import type { ClientResetMode, Download, SyncMetadata } from "./syncTypes.js";
import { ChangesetUndoer } from "./undoChangesets.js";

/** Own changesets the download confirms: acknowledged, or integrated before one of its changesets. */
function confirmedThrough(download: Download): number {
  let through = download.uploadAcknowledged;
  for (const changeset of download.changesets)
    through = Math.max(through, changeset.lastIntegratedClientVersion);
  return through;
}

/**
 * Whether a pending changeset names an object (table and primary key, or link target) the
 * download names: the download's (usually few) names are collected, the pending ones only
 * tested against them. A download without changesets shares nothing.
 */
function sharesObjects(download: Download, pending: readonly PendingChange[]): boolean {
  if (download.changesets.length === 0) return false;
  const downloaded = new Set<string>();
  for (const changeset of download.changesets)
    for (const instruction of changeset.instructions) addNames(instruction, downloaded);
  if (downloaded.size === 0) return false;
  for (const change of pending)
    for (const instruction of change.instructions)
      if (namesAny(instruction, downloaded)) return true;
  return false;
}

/** Whether a pending row's before-image is among the rows `txn` touched. */
function touchesPendingRows(txn: WriteTransaction, pending: readonly PendingChange[]): boolean {
  const touched = new Set<number>();
  for (const row of txn.touchedRows()) touched.add(row.key);
  if (touched.size === 0) return false;
  for (const change of pending)
    for (const entry of change.undo) if (touched.has(entry.key)) return true;
  return false;
}

/** The link target an instruction's value names, if any. */
function linkOf(instruction: Instruction): { table: string; pk: PrimaryKey } | undefined {
  const value = "value" in instruction ? instruction.value : null;
  return value !== null && typeof value === "object" && "$link" in value ? value.$link : undefined;
}

function addNames(instruction: Instruction, names: Set<string>): void {
  names.add(objectName(instruction.table, instruction.pk));
  const link = linkOf(instruction);
  if (link) names.add(objectName(link.table, link.pk));
}

function namesAny(instruction: Instruction, names: ReadonlySet<string>): boolean {
  if (names.has(objectName(instruction.table, instruction.pk))) return true;
  const link = linkOf(instruction);
  return link !== undefined && names.has(objectName(link.table, link.pk));
}

function objectName(table: string, pk: PrimaryKey): string {
  if (pk === null) return `${table}:null`;
  if (typeof pk === "string") return `${table}:s${pk}`;
  return `${table}:${pk.toString()}`;
}

/** Redoes `changes` (lenient) on the new base, capturing each one's fresh undo images. */
function redo(
  txn: WriteTransaction,
  applier: InstructionApplier,
  changes: readonly PendingChange[],
): { version: number; undo: Uint8Array }[] {
  return changes.map((change) => {
    txn.startCapture();
    applier.applyChangeset(change.instructions, "lenient");
    return { version: change.version, undo: txn.endCapture() };
  });
}

export class DownloadIntegrator {
  constructor(
    private readonly db: Database,
    private readonly pendingLog: PendingChangesets,
  ) {}

  /**
   * Applies `download` over the pending changesets (or, for a client reset's fresh copy, in
   * place of the local state) and commits with `metadata`; throws (nothing changed) on a bad
   * changeset.
   */
  integrate(
    download: Download,
    metadata: SyncMetadata,
    resetMode?: ClientResetMode,
  ): CommitChanges {
    const pending = this.pendingLog.current();
    if (resetMode) return this.replace(download, pending, metadata, resetMode);
    return (
      this.tryFastPath(download, pending, metadata) ?? this.rebase(download, pending, metadata)
    );
  }

  /**
   * Without undo/redo: applies the download on top of the pending changesets. Only valid when
   * the download names no object a pending changeset names, and changes no row a pending
   * changeset changed (its undo images would be stale); otherwise rolls back and returns
   * undefined.
   */
  private tryFastPath(
    download: Download,
    pending: readonly PendingChange[],
    metadata: SyncMetadata,
  ): CommitChanges | undefined {
    if (pending.length > 0 && sharesObjects(download, pending)) return undefined;
    const txn = new WriteTransaction(this.db, { record: false, netChanges: true });
    const writer = new ObjectWriter(this.db, txn);
    const applier = new InstructionApplier(this.db, txn, writer);
    try {
      for (const changeset of download.changesets)
        applier.applyChangeset(changeset.instructions, "strict");
      if (pending.length > 0 && touchesPendingRows(txn, pending)) {
        txn.rollback();
        return undefined;
      }
      const through = confirmedThrough(download);
      const confirmed = pending.filter((change) => change.version <= through);
      return this.commit(txn, confirmed, [], metadata);
    } catch (error) {
      txn.rollback();
      throw error;
    }
  }

  private rebase(
    download: Download,
    pending: readonly PendingChange[],
    metadata: SyncMetadata,
  ): CommitChanges {
    const { txn, applier } = this.undoing(pending);
    try {
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
      const undoUpdates = redo(txn, applier, remaining);
      for (const cls of applier.revivedClasses) this.db.reorder(cls);
      return this.commit(txn, confirmed, undoUpdates, metadata);
    } catch (error) {
      txn.rollback();
      throw error;
    }
  }

  /**
   * A client reset's fresh copy of the view: the pending changesets are undone, every object
   * is taken off, the copy is applied, and the pending changesets are redone on it where they
   * still apply (recover: fresh undo images, based on the copy's server version) or dropped
   * (discard). An object the copy has again keeps its row, so listeners see the net change.
   */
  private replace(
    download: Download,
    pending: readonly PendingChange[],
    metadata: SyncMetadata,
    mode: ClientResetMode,
  ): CommitChanges {
    const { txn, applier, undoer } = this.undoing(pending);
    try {
      undoer.removeAll();
      for (const changeset of download.changesets)
        applier.applyChangeset(changeset.instructions, "strict");
      const undoUpdates = mode === "recover" ? redo(txn, applier, pending) : [];
      for (const cls of applier.revivedClasses) this.db.reorder(cls);
      return this.commit(
        txn,
        mode === "discard" ? pending : [],
        undoUpdates,
        metadata,
        metadata.download.serverVersion,
      );
    } catch (error) {
      txn.rollback();
      throw error;
    }
  }

  /** A sync transaction with the pending changesets taken off the live state, newest first. */
  private undoing(pending: readonly PendingChange[]): {
    txn: WriteTransaction;
    applier: InstructionApplier;
    undoer: ChangesetUndoer;
  } {
    const txn = new WriteTransaction(this.db, { record: false, netChanges: true });
    const applier = new InstructionApplier(this.db, txn, new ObjectWriter(this.db, txn));
    const undoer = new ChangesetUndoer(this.db, txn, applier);
    try {
      for (let i = pending.length - 1; i >= 0; i--) undoer.undo((pending[i] as PendingChange).undo);
    } catch (error) {
      txn.rollback();
      throw error;
    }
    return { txn, applier, undoer };
  }

  private commit(
    txn: WriteTransaction,
    confirmed: readonly PendingChange[],
    undoUpdates: { version: number; undo: Uint8Array }[],
    metadata: SyncMetadata,
    rebaseOn?: number,
  ): CommitChanges {
    const trimThrough = confirmed.at(-1)?.version;
    const changes = txn.commit({
      syncMetadata: JSON.stringify(metadata),
      ...(trimThrough !== undefined ? { trimUploadLogThrough: trimThrough } : {}),
      ...(undoUpdates.length > 0 ? { undoUpdates } : {}),
      ...(rebaseOn !== undefined ? { rebaseUploadLogOn: rebaseOn } : {}),
    });
    this.pendingLog.committed(trimThrough, undoUpdates);
    return changes;
  }
}

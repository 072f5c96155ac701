/**
 * The pending (unacknowledged) local changesets of one file, kept in memory between downloads:
 * every download needs all of them (to test for shared objects, or to undo and redo them), so
 * reading and decoding the whole upload log each time would make a backlog quadratic. Only
 * changesets committed since the last look are read from the store; the integrator reports its
 * own changes to the log (trims, rewritten undo data) once they are committed. Instructions and
 * undo images are decoded on first use: an acknowledgement that needs neither decodes nothing.
 */
import { decodeChangeset } from "@atoll/protocol";
import type { Instruction } from "@atoll/protocol";
import type { LocalStore } from "../../store/LocalStore.js";
import { decodeUndo } from "../../transaction/undoImages.js";
import type { UndoEntry } from "../../transaction/undoImages.js";

/** A pending local changeset as the rebase needs it: its instructions and what undoes it. */
export interface PendingChange {
  readonly version: number;
  readonly instructions: Instruction[];
  readonly undo: UndoEntry[];
}

/** One upload-log entry, decoded lazily (a version's changeset bytes never change). */
class PendingEntry implements PendingChange {
  private decodedInstructions: Instruction[] | undefined;
  private decodedUndo: UndoEntry[] | undefined;

  constructor(
    readonly version: number,
    private readonly changeset: Uint8Array,
    private undoBytes: Uint8Array | undefined,
  ) {}

  get instructions(): Instruction[] {
    return (this.decodedInstructions ??= decodeChangeset(this.changeset));
  }

  get undo(): UndoEntry[] {
    return (this.decodedUndo ??= this.undoBytes ? decodeUndo(this.undoBytes) : []);
  }

  replaceUndo(bytes: Uint8Array): void {
    this.undoBytes = bytes;
    this.decodedUndo = undefined;
  }
}

export class PendingChangesets {
  private entries: PendingEntry[] = [];
  /** The highest version read from the store (versions are never reused, so later ones are new). */
  private lastRead = 0;

  constructor(private readonly store: LocalStore) {}

  /** Every pending changeset, oldest first, including those committed since the last call. */
  current(): readonly PendingChange[] {
    const fresh = this.store.readUploadLog(this.lastRead);
    if (fresh.length > 0) {
      const undo = this.store.readUndoLog(this.lastRead);
      for (const entry of fresh)
        this.entries.push(
          new PendingEntry(entry.version, entry.changeset, undo.get(entry.version)),
        );
      this.lastRead = (fresh.at(-1) as (typeof fresh)[number]).version;
    }
    return this.entries;
  }

  /**
   * Mirrors a committed store batch that trimmed the log through `trimmedThrough` and replaced
   * the undo data of (still pending) versions. Call only after the commit succeeded.
   */
  committed(
    trimmedThrough: number | undefined,
    undoUpdates: readonly { readonly version: number; readonly undo: Uint8Array }[],
  ): void {
    if (trimmedThrough !== undefined) {
      let drop = 0;
      while (
        drop < this.entries.length &&
        (this.entries[drop] as PendingEntry).version <= trimmedThrough
      )
        drop++;
      if (drop > 0) this.entries = this.entries.slice(drop);
    }
    if (undoUpdates.length === 0) return;
    const byVersion = new Map(this.entries.map((entry) => [entry.version, entry]));
    for (const update of undoUpdates) byVersion.get(update.version)?.replaceUndo(update.undo);
  }
}

/**
 * Taking pending local changesets off the live state: their undo images (see
 * transaction/undoImages.ts) restored newest first, inside the rebase's write transaction.
 */
import type { Database } from "../../core/Database.js";
import type { ObjectRow } from "../../schema/ClassInfo.js";
import { copyValues } from "../../transaction/WriteTransaction.js";
import type { WriteTransaction } from "../../transaction/WriteTransaction.js";
import { pkIndexKey } from "../../values/indexKey.js";
import type { UndoEntry } from "../../transaction/undoImages.js";
import type { InstructionApplier } from "./InstructionApplier.js";

export class ChangesetUndoer {
  /** Rows removed during this rebase, by key: a later (older) image brings the same row back. */
  private readonly removed = new Map<number, ObjectRow>();

  constructor(
    private readonly db: Database,
    private readonly txn: WriteTransaction,
    /** Told of the top-level rows removed (a redo may revive them) and of classes with rows back. */
    private readonly applier: InstructionApplier,
  ) {}

  /** Undoes one changeset; call for the newest first. */
  undo(entries: readonly UndoEntry[]): void {
    for (const entry of entries) {
      const cls = this.db.classes.get(entry.className);
      if (!cls) continue;
      let row = this.db.liveRow(entry.key) ?? this.removed.get(entry.key);
      if (row && row.cls !== cls) continue;
      if (entry.values === null) {
        if (!row?.alive) continue;
        this.txn.restore(row, null, row.owner);
        this.removed.set(row.key, row);
        this.noteRemoved(row, true);
        continue;
      }
      if (entry.key >= this.db.nextKey) this.db.nextKey = entry.key + 1;
      row ??= {
        key: entry.key,
        cls,
        values: {},
        alive: false,
        owner: entry.owner,
        accessor: undefined,
      };
      if (!row.alive) this.applier.revivedClasses.add(cls);
      // A copy: the row is changed in place from here on, and the entries may be read again.
      this.txn.restore(row, copyValues(entry.values), entry.owner);
      this.removed.delete(row.key);
      this.noteRemoved(row, false);
    }
  }

  /**
   * Takes every object off the live state (a client reset's fresh copy replaces them); like an
   * undone creation, an object the copy creates again keeps its row.
   */
  removeAll(): void {
    for (const row of [...this.db.rowsByKey.values()]) {
      if (!row.alive) continue;
      this.txn.restore(row, null, row.owner);
      this.removed.set(row.key, row);
      this.noteRemoved(row, true);
    }
  }

  private noteRemoved(row: ObjectRow, removed: boolean): void {
    const pk = row.cls.pk;
    if (!pk || row.cls.embedded) return;
    const removedByUndo = this.applier.removedByUndo;
    let byPk = removedByUndo.get(row.cls.name);
    if (!byPk) removedByUndo.set(row.cls.name, (byPk = new Map()));
    const key = pkIndexKey(row.values[pk.key]);
    if (removed) byPk.set(key, row);
    else if (byPk.get(key) === row) byPk.delete(key);
  }
}

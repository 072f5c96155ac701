/**
 * A database trigger's position in the change feed and which node may move it. The document
 * `{_id: "database:<name>", seq, holder, until}` says: every change up to `seq` has been
 * handled, and node `holder` alone runs the trigger until `until` (ms since the epoch). Every
 * change to it is an optimistic commit against the version read, so of two nodes racing for
 * the claim or for the next event exactly one wins; the loser reads again.
 */
import type { StorageEngine, StoredDocument } from "../storage/StorageEngine.js";
import { isConflict } from "../sync/history/historyWrites.js";
import { isDeadLocalProcess } from "./nodeIdentity.js";
import { TRIGGER_STATE } from "./triggerNamespaces.js";

export interface CursorState {
  readonly seq: number;
  readonly holder: string | null;
  readonly until: number;
  readonly version: number;
}

export class TriggerCursor {
  private readonly id: string;

  constructor(
    private readonly storage: StorageEngine,
    triggerName: string,
    private readonly nodeId: string,
    private readonly leaseMs: number,
  ) {
    this.id = `database:${triggerName}`;
  }

  /** The stored state; a trigger seen for the first time starts at the end of the feed. */
  async read(): Promise<CursorState> {
    for (;;) {
      const stored = await this.storage.get(TRIGGER_STATE, this.id);
      if (stored !== null) return stateOf(stored);
      const seq = await this.storage.lastSeq();
      try {
        await this.storage.commit([
          { kind: "insert", ns: TRIGGER_STATE, doc: { _id: this.id, seq, holder: null, until: 0 } },
        ]);
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
  }

  /**
   * Whether this node may run the trigger at `now`: it holds the claim, or nobody does (none
   * was made, it lapsed, or the process that made it is gone from this machine).
   */
  mayRun(state: CursorState, now: number): boolean {
    return (
      state.holder === null ||
      state.holder === this.nodeId ||
      state.until <= now ||
      isDeadLocalProcess(state.holder, this.nodeId)
    );
  }

  /**
   * Moves the cursor to `seq` (at least where it is) and renews this node's claim until
   * `now + leaseMs`; undefined when another node changed the state since it was read.
   */
  async advance(state: CursorState, seq: number, now: number): Promise<CursorState | undefined> {
    return this.write(state, {
      seq: Math.max(seq, state.seq),
      holder: this.nodeId,
      until: now + this.leaseMs,
    });
  }

  /** Gives the claim up (when this node stops), so another node need not wait for it to lapse. */
  async release(state: CursorState): Promise<void> {
    if (state.holder !== this.nodeId) return;
    await this.write(state, { seq: state.seq, holder: null, until: 0 });
  }

  /** Whether the claim in `state` still has more than half its time left at `now`. */
  isFresh(state: CursorState, now: number): boolean {
    return state.holder === this.nodeId && state.until - now > this.leaseMs / 2;
  }

  private async write(
    state: CursorState,
    next: Omit<CursorState, "version">,
  ): Promise<CursorState | undefined> {
    try {
      await this.storage.commit([
        {
          kind: "replace",
          ns: TRIGGER_STATE,
          doc: { _id: this.id, ...next },
          expectedVersion: state.version,
        },
      ]);
    } catch (error) {
      if (isConflict(error)) return undefined;
      throw error;
    }
    // The commit returns no version: read it back, and treat a state someone else wrote in
    // between as lost like a conflict.
    const stored = await this.storage.get(TRIGGER_STATE, this.id);
    if (stored === null) return undefined;
    const written = stateOf(stored);
    const same =
      written.seq === next.seq && written.holder === next.holder && written.until === next.until;
    return same ? written : undefined;
  }
}

function stateOf(stored: StoredDocument): CursorState {
  const { seq, holder, until } = stored.doc;
  return {
    seq: typeof seq === "number" ? seq : 0,
    holder: typeof holder === "string" ? holder : null,
    until: typeof until === "number" ? until : 0,
    version: stored.version,
  };
}

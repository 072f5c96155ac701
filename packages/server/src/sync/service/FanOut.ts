/**
 * Which live sessions a new history entry can concern, so an append wakes only those: the
 * origin (its acknowledgement, corrections, 231 reports) and sessions subscribed, or
 * subscribing, to a table the entry touched. An entry of data ingest (asymmetric objects only)
 * wakes its origin alone. A session not woken keeps its cursor until its next catch-up (a wake,
 * a mark, an upload), which may then skip every entry after the last one that concerned it.
 */
import type { SyncEntry } from "../history/historyEntries.js";

/** A live session as fan-out sees it. */
export interface FanOutSession {
  /** Whether `entry` may send this session anything. */
  concerns(entry: SyncEntry): boolean;
  /** New history is available that concerns the session: catch up. */
  wake(): void;
}

/** Whether an entry may send anything to client file `fileIdent` seeing `tables`. */
export function entryConcerns(
  entry: SyncEntry,
  fileIdent: number,
  tables: (table: string) => boolean,
): boolean {
  return entry.originIdent === fileIdent || entry.objects.some((object) => tables(object.table));
}

export class FanOut<S extends FanOutSession> {
  /** Per live session: the newest entry that concerned it since it went live. */
  private readonly sessions = new Map<S, { lastConcerning: number }>();

  /** Adds a session live from `latest` on (it catches up on what came before by itself). */
  add(session: S, latest: number): void {
    this.sessions.set(session, { lastConcerning: latest });
  }

  remove(session: S): void {
    this.sessions.delete(session);
  }

  get size(): number {
    return this.sessions.size;
  }

  all(): S[] {
    return [...this.sessions.keys()];
  }

  /**
   * Records `entries` (consecutive, about to enter the entry cache: call before they are
   * visible, so no catch-up can pass them unrecorded) and returns the sessions to wake.
   * `gap`: history was appended that did not pass through here, so every session is woken
   * and may skip nothing from now on.
   */
  appending(entries: readonly SyncEntry[], gap = false): S[] {
    const wake: S[] = [];
    for (const [session, seen] of this.sessions) {
      if (gap) seen.lastConcerning = Number.MAX_SAFE_INTEGER;
      let concerned = gap;
      for (const entry of entries) {
        if (!session.concerns(entry)) continue;
        seen.lastConcerning = Math.max(seen.lastConcerning, entry.version);
        concerned = true;
      }
      if (concerned) wake.push(session);
    }
    return wake;
  }

  /**
   * The version after which no entry concerns `session`: a catch-up from a cursor at or beyond
   * it has nothing to send but the cursor itself.
   */
  concernedThrough(session: S): number {
    return this.sessions.get(session)?.lastConcerning ?? Number.MAX_SAFE_INTEGER;
  }
}

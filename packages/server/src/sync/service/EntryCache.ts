/**
 * The newest history entries, decoded once and shared by every session: a live session
 * catching up after a new version reads them from here instead of storage, so fan-out to many
 * sessions costs no read and no decode. Older ranges fall back to storage. After every append,
 * before it tells sessions about it, the service adds the entries as they were built (what
 * storage would give back); a gap (history appended elsewhere) is read from storage.
 */
import type { SyncEntry } from "../history/historyEntries.js";
import type { SyncHistory } from "../history/SyncHistory.js";

const CAPACITY = 1024;

export class EntryCache {
  /** Consecutive entries up to `latest`, oldest first. */
  private entries: SyncEntry[] = [];
  private newest = 0;

  constructor(private readonly history: SyncHistory) {}

  /** The newest server version the cache has seen. */
  get latest(): number {
    return this.newest;
  }

  /** Entries after `version`, oldest first, at most `limit`. */
  async after(version: number, limit: number): Promise<readonly SyncEntry[]> {
    if (version >= this.newest) return [];
    const first = this.entries[0];
    if (first !== undefined && version + 1 >= first.version) {
      const start = version + 1 - first.version;
      return this.entries.slice(start, start + limit);
    }
    return this.history.entriesSince(version, Math.min(limit, this.newest - version));
  }

  /** Takes entries just appended, oldest first; reads from storage instead when they leave a gap. */
  async add(appended: readonly SyncEntry[]): Promise<number> {
    const follows = appended.every((entry, i) => entry.version === this.newest + 1 + i);
    if (!follows) return this.refresh();
    this.entries.push(...appended);
    if (this.entries.length > CAPACITY) this.entries.splice(0, this.entries.length - CAPACITY);
    this.newest += appended.length;
    return this.newest;
  }

  /** Reads the entries appended since the last refresh; returns the latest version. */
  async refresh(): Promise<number> {
    const latest = await this.history.latestVersion();
    if (latest === this.newest) return latest;
    // Never below the compaction floor: those entries are gone, and no session may ask for them.
    const from = Math.max(this.newest, latest - CAPACITY, this.history.floor);
    const fresh = await this.history.entriesSince(from, latest - from);
    const contiguous = from === this.newest ? [...this.entries, ...fresh] : fresh;
    this.entries = contiguous.slice(-CAPACITY);
    this.newest = latest;
    return latest;
  }
}

/**
 * Runs history compaction for a sync service whose app sets `client_max_offline_days`: once
 * when the service starts, then every interval (hourly by default) on an unref'd timer that
 * `stop` clears. Before each run the files of live sessions are marked seen, so a device that
 * stays connected never expires and its reported cursor is current. Runs never overlap; a
 * failed run is logged and the next one tries again.
 */
import type { LogEntry } from "../../logs/LogEntry.js";
import { compactHistory, type Compaction } from "../history/compactHistory.js";
import type { SyncHistory } from "../history/SyncHistory.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the compactor needs from the sync service. */
export interface CompactorHost {
  readonly storage: StorageEngine;
  readonly history: SyncHistory;
  /** `client_max_offline_days`; compaction is off when absent or not positive. */
  readonly maxOfflineDays: number | undefined;
  now(): number;
  /** Marks the files of every live session seen at `now`. */
  touchLiveFiles(now: number): Promise<void>;
  record(entry: Omit<LogEntry, "time">): Promise<void>;
}

export class HistoryCompactor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Compaction | undefined> | undefined;
  private stopped = false;

  constructor(
    private readonly host: CompactorHost,
    private readonly intervalMs: number,
  ) {}

  get enabled(): boolean {
    return (this.host.maxOfflineDays ?? 0) > 0;
  }

  /** Runs once, then every interval (nothing when compaction is off). */
  async start(): Promise<void> {
    if (!this.enabled) return;
    await this.run();
    if (this.stopped) return;
    this.timer = setInterval(() => void this.run(), this.intervalMs);
    this.timer.unref();
  }

  /** One compaction now (joins a run under way); undefined when off, stopped or failed. */
  run(): Promise<Compaction | undefined> {
    if (!this.enabled || this.stopped) return Promise.resolve(undefined);
    this.running ??= this.compact().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Clears the timer and waits for a run under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async compact(): Promise<Compaction | undefined> {
    const days = this.host.maxOfflineDays ?? 0;
    try {
      const now = this.host.now();
      await this.host.touchLiveFiles(now);
      const done = await compactHistory(this.host.storage, { now, maxOfflineMs: days * DAY_MS });
      await this.host.history.loadFloor();
      if (done.removed > 0 || done.expired.length > 0) {
        const expired = done.expired.length === 0 ? "none" : done.expired.join(", ");
        await this.host.record({
          type: "sync",
          outcome: "ok",
          message: `history compaction removed ${done.removed} entries through server version ${done.floor}; client files expired after ${days} days offline: ${expired}`,
          details: { removed: done.removed, floor: done.floor, expired: done.expired },
        });
      }
      return done;
    } catch (error) {
      await this.host.record({
        type: "sync",
        outcome: "error",
        message: `history compaction failed: ${error instanceof Error ? error.message : String(error)}`,
      });
      return undefined;
    }
  }
}

import type { TriggerClock } from "../TriggerClock.js";

/** A clock that moves only when the test says so; sleepers wake when it passes their time. */
export class ManualClock implements TriggerClock {
  private current: Date;
  private sleepers: { until: Date; wake: () => void }[] = [];

  constructor(start: Date) {
    this.current = start;
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves the clock to `time` (never backwards) and wakes those sleeping until then. */
  set(time: Date): void {
    if (time > this.current) this.current = time;
    const due = this.sleepers.filter((s) => s.until <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.until > this.current);
    for (const sleeper of due) sleeper.wake();
  }

  sleepUntil(until: Date, signal: AbortSignal): Promise<void> {
    if (until <= this.current || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        until,
        wake: () => {
          signal.removeEventListener("abort", sleeper.wake);
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal.addEventListener("abort", sleeper.wake, { once: true });
    });
  }
}

/**
 * The time triggers go by: when a scheduled trigger is due, and when a node's claim on a
 * trigger lapses. Injected so tests can move time instead of waiting for it.
 */
export interface TriggerClock {
  now(): Date;
  /** Resolves once `now()` has reached `until`, or at once when `signal` aborts. */
  sleepUntil(until: Date, signal: AbortSignal): Promise<void>;
}

/** setTimeout cannot wait longer than this; longer sleeps wake and sleep again. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export const systemClock: TriggerClock = {
  now: () => new Date(),
  async sleepUntil(until, signal) {
    while (!signal.aborted && Date.now() < until.getTime()) {
      const delay = Math.min(until.getTime() - Date.now(), LONGEST_TIMER_MS);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        signal.addEventListener("abort", done, { once: true });
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        }
      });
    }
  },
};

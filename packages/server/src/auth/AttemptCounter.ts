/**
 * Counts attempts per key in fixed windows: once a key has `max` attempts in its current
 * window, further ones are refused until the window ends. State lives in this process's
 * memory (a restart forgets it; several servers count apart), and at most `maxKeys` keys are
 * kept: the oldest are forgotten first, so a flood of addresses cannot exhaust memory.
 */
export interface AttemptLimit {
  readonly max: number;
  readonly windowMs: number;
}

interface Window {
  readonly startedAt: number;
  count: number;
}

const DEFAULT_MAX_KEYS = 100_000;

export class AttemptCounter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: AttemptLimit,
    private readonly now: () => number,
    private readonly maxKeys = DEFAULT_MAX_KEYS,
  ) {}

  /** Milliseconds until `key` may try again, or 0 when it may now. */
  waitFor(key: string): number {
    if (this.limit.max <= 0) return 0;
    const window = this.current(key);
    if (window === undefined || window.count < this.limit.max) return 0;
    return window.startedAt + this.limit.windowMs - this.now();
  }

  record(key: string): void {
    if (this.limit.max <= 0) return;
    const window = this.current(key);
    if (window !== undefined) {
      window.count += 1;
      return;
    }
    if (this.windows.size >= this.maxKeys) this.forgetOldest();
    this.windows.set(key, { startedAt: this.now(), count: 1 });
  }

  forget(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window === undefined) return undefined;
    if (this.now() < window.startedAt + this.limit.windowMs) return window;
    this.windows.delete(key);
    return undefined;
  }

  private forgetOldest(): void {
    const oldest = this.windows.keys().next();
    if (oldest.done !== true) this.windows.delete(oldest.value);
  }
}

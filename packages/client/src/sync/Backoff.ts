/**
 * Reconnect delays: exponential growth from `initialMs` by `factor`, capped at `maxMs`, with
 * jitter (each delay drawn from the upper half of the current step) so that many clients
 * dropped together do not come back together. `reset` after a connection that worked.
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 30_000, factor: 2 };

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const step = Math.min(
      this.options.maxMs,
      this.options.initialMs * this.options.factor ** this.attempt,
    );
    this.attempt++;
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/**
 * Whether this node takes work, and the HTTP work it has in flight. A node drains before it
 * stops (SIGTERM): from `startDraining` on it answers new requests 503 and reports itself not
 * ready, so the load balancer sends the work elsewhere, while what it already accepted ends.
 */
export class NodeState {
  private draining = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  get requestsInFlight(): number {
    return this.inFlight;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  startDraining(): void {
    this.draining = true;
  }

  /** Counts one request in flight; call the returned function once it is answered. */
  begin(): () => void {
    this.inFlight += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight -= 1;
      if (this.inFlight > 0) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    };
  }

  /** Resolves once no request is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

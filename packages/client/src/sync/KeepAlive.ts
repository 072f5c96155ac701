/**
 * Keep-alive of one connection: a ping every `pingIntervalMs`; when no pong came within
 * `pongTimeoutMs` of a ping, the connection counts as dead: `dead` is called once and pinging
 * stops.
 */
export interface KeepAliveTimes {
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
}

export class KeepAlive {
  private readonly timers: NodeJS.Timeout[] = [];
  private awaitingPong = false;
  private stopped = false;

  constructor(
    private readonly times: KeepAliveTimes,
    private readonly sendPing: () => void,
    private readonly dead: () => void,
  ) {}

  start(): void {
    const ping = setInterval(() => this.ping(), this.times.pingIntervalMs);
    ping.unref();
    this.timers.push(ping);
  }

  pong(): void {
    this.awaitingPong = false;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }

  private ping(): void {
    if (this.stopped) return;
    if (this.awaitingPong) {
      this.stop();
      this.dead();
      return;
    }
    this.awaitingPong = true;
    this.sendPing();
    const deadline = setTimeout(() => {
      if (this.awaitingPong) this.ping();
    }, this.times.pongTimeoutMs);
    deadline.unref();
  }
}

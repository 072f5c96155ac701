/**
 * The session's outstanding `mark` requests (downloadAllServerChanges): each resolves when the
 * server's answering mark arrives and every download before it has been applied. Requests
 * made while disconnected are sent when the session is bound again.
 */
interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

export class MarkRequests {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** A new request; `send` is called with its id now (if connected) and after reconnects. */
  request(send: (requestId: number) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const requestId = this.nextId++;
      this.pending.set(requestId, { resolve, reject });
      send(requestId);
    });
  }

  /** Sends every outstanding request again (on a new connection). */
  resend(send: (requestId: number) => void): void {
    for (const requestId of this.pending.keys()) send(requestId);
  }

  /** The server answered `requestId`; it resolves once `applied` does. */
  answered(requestId: number, applied: Promise<void>): void {
    const pending = this.pending.get(requestId);
    if (!pending) return;
    this.pending.delete(requestId);
    void applied.then(() => pending.resolve());
  }

  rejectAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/** `wait`, or a rejection naming `what` once `timeoutMs` passed (no limit when undefined). */
export function withTimeout(
  wait: Promise<void>,
  timeoutMs: number | undefined,
  what: string,
): Promise<void> {
  if (timeoutMs === undefined) return wait;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Waiting for the ${what} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    wait.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/**
 * One async critical section at a time, in arrival order. Sync serialises integrations,
 * recorder runs and bootstrap scans of an app with it, so a bootstrap is consistent with the
 * server version it names (contract rule 6).
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/**
 * A task run on request, one run at a time: a request during a run asks for one more run after
 * it, however many requests came meanwhile. Every caller's promise settles once a run that
 * started after its request has ended. Failures go to `onError`, never to the requester.
 */
export class CoalescedRun {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly onError: (error: unknown) => Promise<void> | void,
  ) {}

  request(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.task();
        } catch (error) {
          if (!this.stopped) await this.onError(error);
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves when the current run (if any) and the ones requested during it have ended. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** No run starts after this; resolves when the current one (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}

/**
 * The app's isolates. Each top-level function call leases one isolate for itself (the calls it
 * makes through `context.functions.execute` share the lease), so a runaway call can only stall
 * or kill its own isolate and never delays another caller.
 *
 * A returned isolate is fenced before reuse: anything the finished call left queued on it
 * (a stray promise continuation, say) must run to completion first, within `fenceMs`, or the
 * isolate is disposed. With the host refusing to answer a finished call's pending host calls,
 * nothing of one call can then run during the next.
 *
 * At most `maxIsolates` exist at once; further calls wait in order, up to their deadline.
 */
import { AppError } from "@atoll/protocol";
import { SandboxIsolate } from "./SandboxIsolate.js";

export interface IsolatePoolOptions {
  readonly memoryLimitMb: number;
  readonly maxIsolates: number;
  /** Isolates kept ready between calls; more are disposed when returned. */
  readonly maxIdle: number;
}

interface Waiter {
  readonly resolve: (isolate: SandboxIsolate) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class IsolatePool {
  private readonly idle: SandboxIsolate[] = [];
  private readonly waiters: Waiter[] = [];
  /** Isolates leased out or being fenced. */
  private readonly leased = new Set<SandboxIsolate>();
  private closed = false;

  constructor(private readonly options: IsolatePoolOptions) {}

  acquire(deadline: number): Promise<SandboxIsolate> {
    if (this.closed)
      return Promise.reject(
        new AppError("InternalServerError", "the function service has been closed"),
      );
    const ready = this.takeIdle();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.leased.size < this.options.maxIsolates) return Promise.resolve(this.create());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          const index = this.waiters.findIndex((waiter) => waiter.timer === timer);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(
            new AppError(
              "TooManyRequests",
              `all ${this.options.maxIsolates} function sandboxes stayed busy until the call's time limit`,
            ),
          );
        },
        Math.max(0, deadline - Date.now()),
      );
      this.waiters.push({ resolve, reject, timer });
    });
  }

  /** Takes the isolate back; a live one is fenced (up to `fenceMs`) and reused, a dead one replaced. */
  async release(isolate: SandboxIsolate, fenceMs: number): Promise<void> {
    if (isolate.alive && !this.closed) {
      const fenced = await settlesWithin(isolate.fence(), fenceMs);
      if (!fenced) isolate.kill();
    }
    this.recycle(isolate);
  }

  /** Prepares one isolate (runtime compiled) ahead of the first call. */
  async warmUp(): Promise<void> {
    if (this.closed || this.leased.size > 0 || this.idle.length > 0) return;
    const isolate = this.create();
    try {
      await isolate.runtimeScript();
      await isolate.fence();
    } catch {
      isolate.kill();
    }
    this.recycle(isolate);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Disposes every isolate, stopping calls still running (they fail), and refuses new calls. */
  close(): void {
    this.closed = true;
    for (const isolate of this.idle.splice(0)) isolate.kill();
    for (const isolate of this.leased) isolate.kill();
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new AppError("InternalServerError", "the function service has been closed"));
    }
  }

  /** Hands a leased isolate on: to a waiter or the idle list when alive, else makes room. */
  private recycle(isolate: SandboxIsolate): void {
    if (!isolate.alive || this.closed) {
      isolate.kill();
      this.leased.delete(isolate);
      this.serveWaiter();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      waiter.resolve(isolate);
      return;
    }
    this.leased.delete(isolate);
    if (this.idle.length < this.options.maxIdle) this.idle.push(isolate);
    else isolate.kill();
  }

  private takeIdle(): SandboxIsolate | undefined {
    let isolate = this.idle.pop();
    while (isolate !== undefined && !isolate.alive) isolate = this.idle.pop();
    if (isolate !== undefined) this.leased.add(isolate);
    return isolate;
  }

  private serveWaiter(): void {
    const waiter = this.waiters.shift();
    if (waiter === undefined) return;
    clearTimeout(waiter.timer);
    waiter.resolve(this.create());
  }

  private create(): SandboxIsolate {
    const isolate = new SandboxIsolate(this.options.memoryLimitMb);
    this.leased.add(isolate);
    return isolate;
  }
}

async function settlesWithin(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

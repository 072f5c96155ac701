/**
 * What `Realm.open` returns, as in Realm JS v12: a promise of the realm that also reports the
 * download's progress while a synced realm is being opened (`progress(callback)`) and can be
 * cancelled (`cancel()`). Cancelling rejects it with `Async open canceled`, stops the progress
 * reports and makes the open close what it had opened; once the promise has resolved,
 * cancelling changes nothing.
 */
import type { Realm } from "../Realm.js";
import { callProgress } from "./ProgressNotifier.js";
import type { ProgressNotificationCallback } from "./ProgressNotifier.js";

/** What an open is handed: the cancellation signal and where to report download progress. */
export interface OpenTask {
  /** Aborted by cancel(), before the promise rejects. */
  readonly signal: AbortSignal;
  /** Tells the `progress` callbacks registered so far (and not after a cancel). */
  reportProgress(transferred: number, transferable: number): void;
}

/** Realm JS's error for an open that did not finish in its `timeOut`. */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
}

/** `R` is the Realm class; a parameter only so that this module does not import Realm's code. */
export class ProgressRealmPromise<R extends { close(): void } = Realm> implements Promise<R> {
  private readonly listeners = new Set<ProgressNotificationCallback>();
  private readonly abort = new AbortController();
  private readonly promise: Promise<R>;
  private rejectPromise: (error: unknown) => void = () => undefined;

  /** `open` opens the realm; when `task.signal` aborts it must close what it opened and settle. */
  constructor(open: (task: OpenTask) => Promise<R>) {
    const task: OpenTask = {
      signal: this.abort.signal,
      reportProgress: (transferred, transferable) => {
        for (const listener of [...this.listeners])
          callProgress(listener, transferred, transferable);
      },
    };
    this.promise = new Promise<R>((resolve, reject) => {
      this.rejectPromise = reject;
      open(task).then((realm) => {
        // Cancelled after the realm was ready but before it was handed out: nobody gets it.
        if (this.abort.signal.aborted) realm.close();
        else resolve(realm);
      }, reject);
    });
  }

  /** Cancels the open: the promise rejects with `Async open canceled`. */
  cancel(): void {
    this.listeners.clear();
    this.abort.abort();
    this.rejectPromise(new Error("Async open canceled"));
  }

  /**
   * Registers a callback for the download's progress: `(transferred, transferable)` byte
   * counts, or one `estimate` between 0 and 1 for a one-argument callback.
   */
  progress(callback: ProgressNotificationCallback): this {
    this.listeners.add(callback);
    return this;
  }

  then<T1 = R, T2 = never>(
    onFulfilled?: ((value: R) => T1 | PromiseLike<T1>) | null,
    onRejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return this.promise.then(onFulfilled, onRejected);
  }

  catch<T = never>(onRejected?: ((reason: unknown) => T | PromiseLike<T>) | null): Promise<R | T> {
    return this.promise.catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<R> {
    return this.promise.finally(onFinally);
  }

  get [Symbol.toStringTag](): string {
    return "ProgressRealmPromise";
  }
}

/**
 * Upload and download progress for `addProgressNotification`: byte counts of changesets
 * acknowledged / received, against what is known to be outstanding. Callbacks take
 * `(transferred, transferable)` as Realm JS v12 had it, or a single `estimate` (0…1) as later
 * v12 releases do (chosen by the callback's arity). `forCurrentlyOutstandingWork` callbacks fire
 * until the amount outstanding at registration is transferred, then are removed.
 */
import type { ProgressDirection } from "./types.js";
import { ProgressMode } from "./types.js";

export type ProgressNotificationCallback =
  ((transferred: number, transferable: number) => void) | ((estimate: number) => void);

/** Calls a progress callback in the form its arity asks for: byte counts, or one estimate. */
export function callProgress(
  callback: ProgressNotificationCallback,
  transferred: number,
  transferable: number,
): void {
  if (callback.length === 1) {
    const estimate = transferable === 0 ? 1 : Math.min(1, transferred / transferable);
    (callback as (estimate: number) => void)(estimate);
  } else {
    callback(Math.min(transferred, transferable), transferable);
  }
}

interface Registration {
  readonly callback: ProgressNotificationCallback;
  readonly target: number | undefined;
}

interface Counter {
  transferred: number;
  transferable: number;
  readonly registrations: Registration[];
}

export class ProgressNotifier {
  private readonly counters: Record<ProgressDirection, Counter> = {
    upload: { transferred: 0, transferable: 0, registrations: [] },
    download: { transferred: 0, transferable: 0, registrations: [] },
  };

  add(
    direction: ProgressDirection,
    mode: ProgressMode,
    callback: ProgressNotificationCallback,
  ): void {
    const counter = this.counters[direction];
    if (!counter) throw new TypeError(`Unknown progress direction '${String(direction)}'`);
    if (
      mode !== ProgressMode.ReportIndefinitely &&
      mode !== ProgressMode.ForCurrentlyOutstandingWork
    )
      throw new TypeError(`Unknown progress mode '${String(mode)}'`);
    const target =
      mode === ProgressMode.ForCurrentlyOutstandingWork ? counter.transferable : undefined;
    const registration = { callback, target };
    counter.registrations.push(registration);
    queueMicrotask(() => this.notify(counter, [registration]));
  }

  remove(callback: ProgressNotificationCallback): void {
    for (const counter of Object.values(this.counters)) {
      const index = counter.registrations.findIndex((r) => r.callback === callback);
      if (index >= 0) counter.registrations.splice(index, 1);
    }
  }

  /** Sets the figures of one direction and tells the callbacks. */
  update(direction: ProgressDirection, transferred: number, transferable: number): void {
    const counter = this.counters[direction];
    counter.transferred = transferred;
    counter.transferable = Math.max(transferable, transferred);
    this.notify(counter, [...counter.registrations]);
  }

  figures(direction: ProgressDirection): { transferred: number; transferable: number } {
    const { transferred, transferable } = this.counters[direction];
    return { transferred, transferable };
  }

  private notify(counter: Counter, registrations: Registration[]): void {
    for (const registration of registrations) {
      if (!counter.registrations.includes(registration)) continue;
      const { transferred } = counter;
      const transferable = registration.target ?? counter.transferable;
      callProgress(registration.callback, transferred, transferable);
      if (registration.target !== undefined && transferred >= registration.target) {
        counter.registrations.splice(counter.registrations.indexOf(registration), 1);
      }
    }
  }
}

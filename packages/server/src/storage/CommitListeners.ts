/**
 * The `onCommit` listeners of one engine instance: each registration may bring an `onClosed`
 * callback, told once when the engine closes (see `StorageEngine.onCommit`).
 */
import type { ChangeRecord } from "./StorageEngine.js";

type Listener = (records: readonly ChangeRecord[]) => void;

export class CommitListeners {
  readonly #listeners = new Set<Listener>();
  readonly #closeListeners = new Set<() => void>();

  /** Registers a listener (and its close callback); returns the unsubscribe. */
  add(listener: Listener, onClosed?: () => void): () => void {
    this.#listeners.add(listener);
    if (onClosed !== undefined) this.#closeListeners.add(onClosed);
    return () => {
      this.#listeners.delete(listener);
      if (onClosed !== undefined) this.#closeListeners.delete(onClosed);
    };
  }

  /** Hands a durable batch's records to every listener registered now. */
  deliver(records: readonly ChangeRecord[]): void {
    for (const listener of [...this.#listeners]) listener(records);
  }

  /** The engine closed: forgets every listener and tells those that asked, once. */
  close(): void {
    this.#listeners.clear();
    const closers = [...this.#closeListeners];
    this.#closeListeners.clear();
    for (const closed of closers) closed();
  }
}

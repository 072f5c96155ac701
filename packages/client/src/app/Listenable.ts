/**
 * The change listeners App and User offer (Realm JS v12's `addListener`, `removeListener`,
 * `removeAllListeners`): callbacks without arguments, told after every change in the order
 * added; a listener added or removed while they are told takes effect from the next change.
 */
export abstract class Listenable {
  private readonly listeners = new Set<() => void>();

  addListener(callback: () => void): void {
    this.listeners.add(callback);
  }

  removeListener(callback: () => void): void {
    this.listeners.delete(callback);
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }

  protected notifyListeners(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/**
 * One V8 isolate with its memory limit, the runtime script and the function modules compiled
 * for it. Scripts are compiled once per isolate and run in a fresh context per call, so no
 * state survives from one call to the next: every call starts from pristine built-ins
 * (`Object.prototype` included) and its own `context`, `BSON`, `console`.
 *
 * `kill()` disposes the isolate, which stops whatever runs in it at once; isolated-vm also
 * disposes it by itself when the memory limit is hit. Either way the pool replaces it.
 *
 * A single huge allocation (`new Array(2 ** 32 - 1).fill(0)`) can exhaust V8's heap before
 * isolated-vm's limit check runs. V8 would then end the whole process; with a catastrophic
 * error handler registered, isolated-vm parks the isolate's thread instead. Such an isolate
 * is `lost`: it is dropped (never touched again, its memory stays allocated) and the call
 * that ran in it fails at once, while the server goes on serving.
 */
import ivm from "isolated-vm";
import { compileModule } from "./compileModule.js";
import { runtimeScriptSource } from "./runtimeScriptSource.js";

export class SandboxIsolate {
  readonly isolate: ivm.Isolate;
  private runtime: Promise<ivm.Script> | undefined;
  private readonly modules = new Map<string, Promise<ivm.Script>>();
  /** A context created ahead of time (the fence after the previous call), used by the next call. */
  private spare: ivm.Context | undefined;

  private lostMessage: string | undefined;
  private readonly lostListeners = new Set<(message: string) => void>();

  constructor(readonly memoryLimitMb: number) {
    this.isolate = new ivm.Isolate({
      memoryLimit: memoryLimitMb,
      onCatastrophicError: (message) => {
        if (this.lostMessage !== undefined) return;
        this.lostMessage = message;
        for (const listener of this.lostListeners) listener(message);
      },
    });
  }

  /** Calls `listener` if the isolate is lost; returns the unsubscribe function. */
  onLost(listener: (message: string) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  get alive(): boolean {
    return this.lostMessage === undefined && !this.isolate.isDisposed;
  }

  get isLost(): boolean {
    return this.lostMessage !== undefined;
  }

  runtimeScript(): Promise<ivm.Script> {
    this.runtime ??= this.isolate.compileScript(runtimeScriptSource(), {
      filename: "atoll:runtime",
    });
    return this.runtime;
  }

  /** The module factory script for a function; `key` names the source (its function name). */
  moduleScript(key: string, source: string, file: string): Promise<ivm.Script> {
    let compiled = this.modules.get(key);
    if (compiled === undefined) {
      compiled = compileModule(this.isolate, source, file);
      // A failed compile is not cached here: the service remembers syntax errors itself.
      compiled.catch(() => this.modules.delete(key));
      this.modules.set(key, compiled);
    }
    return compiled;
  }

  async takeContext(): Promise<ivm.Context> {
    const spare = this.spare;
    this.spare = undefined;
    return spare ?? (await this.isolate.createContext());
  }

  /**
   * Resolves once every task queued on the isolate before it has run: isolate tasks run in
   * order, so a context created now completes only after them. The context is kept for the
   * next call.
   */
  async fence(): Promise<void> {
    const context = await this.isolate.createContext();
    this.spare?.release();
    this.spare = context;
  }

  kill(): void {
    if (this.lostMessage === undefined && !this.isolate.isDisposed) this.isolate.dispose();
  }
}

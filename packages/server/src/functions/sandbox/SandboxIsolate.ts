/**
 * One V8 isolate with its memory limit, the runtime script and the function modules compiled
 * for it. Scripts are compiled once per isolate and run in a fresh context per call, so no
 * state survives from one call to the next: every call starts from pristine built-ins
 * (`Object.prototype` included) and its own `context`, `BSON`, `console`.
 *
 * `kill()` disposes the isolate, which stops whatever runs in it at once; isolated-vm also
 * disposes it by itself when the memory limit is hit. Either way the pool replaces it.
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

  constructor(readonly memoryLimitMb: number) {
    this.isolate = new ivm.Isolate({ memoryLimit: memoryLimitMb });
  }

  get alive(): boolean {
    return !this.isolate.isDisposed;
  }

  runtimeScript(): Promise<ivm.Script> {
    this.runtime ??= this.isolate.compileScript(runtimeScriptSource(), { filename: "atoll:runtime" });
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
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }
}

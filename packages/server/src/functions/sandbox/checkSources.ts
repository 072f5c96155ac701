/**
 * Compiles function sources without running them, in a throwaway isolate, so that a server can
 * report syntax errors at start-up instead of at the first call (App Services refuses to
 * deploy them). Nothing in the sources runs.
 */
import type { AppError } from "@atoll/protocol";
import { compileModule } from "./compileModule.js";
import { SandboxIsolate } from "./SandboxIsolate.js";

export async function checkSources(
  sources: Iterable<{ readonly source: string; readonly file: string }>,
): Promise<AppError[]> {
  const sandbox = new SandboxIsolate(64);
  const errors: AppError[] = [];
  try {
    for (const { source, file } of sources) {
      try {
        const script = await compileModule(sandbox.isolate, source, file);
        script.release();
      } catch (error) {
        errors.push(error as AppError);
      }
    }
  } finally {
    sandbox.kill();
  }
  return errors;
}

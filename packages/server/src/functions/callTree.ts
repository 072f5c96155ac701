/**
 * A top-level function call and every call it makes (`context.functions.execute`, `%function`
 * in rules it triggers): one leased isolate, one deadline, one console capture.
 *
 * The deadline is enforced twice: each step inside the isolate gets the time left as its
 * isolated-vm timeout, and a host timer disposes the isolate when the time is up, which also
 * stops code resumed by a host answer (an async loop) that no isolated-vm timeout covers.
 * Whatever failed, the caller gets an `AppError` carrying the console lines so far.
 */
import { AppError } from "@atoll/protocol";
import { ConsoleCapture } from "./consoleCapture.js";
import type { IsolatePool } from "./sandbox/IsolatePool.js";
import type { SandboxIsolate } from "./sandbox/SandboxIsolate.js";

/** How long a killed isolate may take to settle its call before the call is failed anyway. */
const STOP_GRACE_MS = 1000;

export interface CallTree {
  readonly sandbox: SandboxIsolate;
  readonly deadline: number;
  readonly console: ConsoleCapture;
}

export interface CallTreeLimits {
  readonly timeoutMs: number;
  readonly memoryLimitMb: number;
  /** How long a returned isolate may take to finish what the call left queued on it. */
  readonly fenceMs: number;
}

export async function runCallTree<T>(
  pool: IsolatePool,
  limits: CallTreeLimits,
  name: string,
  body: (tree: CallTree) => Promise<T>,
): Promise<{ value: T; logs: string[] }> {
  const deadline = Date.now() + limits.timeoutMs;
  const console = new ConsoleCapture();
  const sandbox = await pool.acquire(deadline);
  let timedOut = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => undefined;
  // Settles the call even when the isolate cannot: disposal normally ends what runs in it, the
  // grace period covers an isolate that no longer answers, and a lost isolate ends it at once.
  const stopped = new Promise<never>((_, reject) => {
    timers.push(
      setTimeout(
        () => {
          timedOut = true;
          sandbox.kill();
          timers.push(
            setTimeout(() => reject(new Error("the sandbox did not stop")), STOP_GRACE_MS),
          );
        },
        Math.max(0, deadline - Date.now()),
      ),
    );
    unsubscribe = sandbox.onLost((message) =>
      reject(new Error(`the sandbox was lost: ${message}`)),
    );
  });
  try {
    const value = await Promise.race([body({ sandbox, deadline, console }), stopped]);
    return { value, logs: console.lines };
  } catch (error) {
    const failure = pool.isClosed
      ? new AppError(
          "InternalServerError",
          `function '${name}' was stopped: the function service has been closed`,
        )
      : describeFailure(error, { name, timedOut, sandboxAlive: sandbox.alive, limits });
    if (failure.code === "ExecutionTimeLimitExceeded") sandbox.kill();
    throw withLogs(failure, console.lines);
  } finally {
    for (const timer of timers) clearTimeout(timer);
    unsubscribe();
    // Awaited: the isolate is ready (or replaced) before the next call of this caller, and a
    // call that left work queued in it pays the fence's wait itself.
    await pool.release(sandbox, Math.min(limits.fenceMs, Math.max(0, deadline - Date.now())));
  }
}

interface FailureContext {
  readonly name: string;
  readonly timedOut: boolean;
  readonly sandboxAlive: boolean;
  readonly limits: CallTreeLimits;
}

function describeFailure(error: unknown, at: FailureContext): AppError {
  const message = error instanceof Error ? error.message : String(error);
  if (at.timedOut || message === "Script execution timed out.") {
    return new AppError(
      "ExecutionTimeLimitExceeded",
      `execution time limit exceeded: function '${at.name}' ran longer than ${at.limits.timeoutMs} ms and was stopped`,
    );
  }
  if (
    message.includes("memory limit") ||
    message.startsWith("the sandbox was lost") ||
    (!at.sandboxAlive && !(error instanceof AppError))
  ) {
    return new AppError(
      "FunctionExecutionError",
      `function '${at.name}' ran out of memory: the sandbox limit is ${at.limits.memoryLimitMb} MB`,
    );
  }
  if (error instanceof AppError) return error;
  return new AppError(
    "FunctionExecutionError",
    `function '${at.name}' failed in the sandbox: ${message}`,
    { cause: error },
  );
}

function withLogs(error: AppError, logs: string[]): AppError {
  return new AppError(error.code, error.message, {
    details: { ...error.details, logs: [...logs] },
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
}

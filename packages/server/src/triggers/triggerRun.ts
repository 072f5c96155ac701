/**
 * Runs a trigger's function once and logs the run as a `trigger` entry with the function's
 * console output. A failing function is logged and reported as failed; it never throws, so
 * one bad event cannot stop its trigger.
 */
import { AppError } from "@atoll/protocol";
import type { TriggerConfig } from "../config/types.js";
import type { LogEntry } from "../logs/LogEntry.js";

/** The part of the function service triggers call (FunctionService implements it). */
export interface TriggerFunctions {
  runForTrigger(name: string, args: unknown[]): Promise<{ value: unknown; logs: string[] }>;
}

/**
 * Where trigger runs are logged (ServerLog implements it). Entries are written in the
 * background, batched with the server's other entries; `flush` waits for them.
 */
export interface TriggerLog {
  recordInBackground(entry: Omit<LogEntry, "time">): void;
  flush(): Promise<void>;
}

export interface TriggerRunDeps {
  readonly functions: TriggerFunctions;
  readonly log: TriggerLog;
}

/** Runs `trigger`'s function with `args`; true when it returned, false when it threw. */
export async function runTrigger(
  deps: TriggerRunDeps,
  trigger: TriggerConfig,
  args: unknown[],
  details: Record<string, unknown> = {},
): Promise<boolean> {
  const started = Date.now();
  const common = {
    type: "trigger" as const,
    details: {
      trigger: trigger.name,
      triggerType: trigger.type,
      function: trigger.functionName,
      ...details,
    },
  };
  try {
    const { logs } = await deps.functions.runForTrigger(trigger.functionName, args);
    deps.log.recordInBackground({
      ...common,
      outcome: "ok",
      message: `trigger ${trigger.name}: function ${trigger.functionName}`,
      details: { ...common.details, durationMs: Date.now() - started },
      logs,
    });
    return true;
  } catch (error) {
    deps.log.recordInBackground({
      ...common,
      outcome: "error",
      message: `trigger ${trigger.name}: function ${trigger.functionName}: ${error instanceof Error ? error.message : String(error)}`,
      details: {
        ...common.details,
        durationMs: Date.now() - started,
        ...(error instanceof AppError ? { error_code: error.code } : {}),
      },
      logs:
        error instanceof AppError && Array.isArray(error.details?.logs)
          ? (error.details.logs as string[])
          : [],
    });
    return false;
  }
}

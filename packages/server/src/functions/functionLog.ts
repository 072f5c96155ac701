/**
 * The log entry of one internal function call (auth functions, `%function`, user creation),
 * shaped as the app's log store keeps entries. Arguments are never logged: auth functions
 * receive passwords and tokens.
 */
import { AppError } from "@atoll/protocol";
import type { UserContext } from "../callerContext.js";

export interface FunctionLogEntry {
  readonly time: Date;
  readonly type: "function";
  readonly userId?: string;
  readonly outcome: "ok" | "error";
  readonly message: string;
  readonly details: Record<string, unknown>;
  readonly logs: string[];
}

export function functionLogEntry(
  name: string,
  user: UserContext,
  started: number,
  error: unknown,
  logs: string[],
): FunctionLogEntry {
  const failed = error !== undefined;
  return {
    time: new Date(),
    type: "function",
    ...(user.id === "" ? {} : { userId: user.id }),
    outcome: failed ? "error" : "ok",
    message: `function ${name}${failed ? `: ${error instanceof Error ? error.message : String(error)}` : ""}`,
    details: {
      name,
      durationMs: Date.now() - started,
      ...(error instanceof AppError ? { error_code: error.code } : {}),
    },
    logs,
  };
}

import { AppError, AtollError } from "@atoll/protocol";
import { ConfigError } from "../config/ConfigError.js";
import { commandStarted } from "./shutdownSignals.js";

/** Exit codes scripts can tell apart. */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  /** The app export cannot be loaded (sysexits' EX_CONFIG). */
  Config: 78,
} as const;

/**
 * Runs a command's body and turns what it throws into a message on stderr and an exit code:
 * expected failures print their message alone; anything else also prints its stack, since
 * it is a bug.
 */
export async function runCommand(body: () => Promise<void>): Promise<void> {
  commandStarted();
  try {
    await body();
  } catch (error) {
    process.exitCode = report(error);
  }
}

function report(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`atoll: invalid app config: ${error.message}\n`);
    return ExitCode.Config;
  }
  if (error instanceof AppError || error instanceof AtollError) {
    process.stderr.write(`atoll: ${error.message}\n`);
    return ExitCode.Failure;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
    process.stderr.write(`atoll: cannot listen: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  process.stderr.write(
    `atoll: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return ExitCode.Failure;
}

/**
 * SIGINT and SIGTERM, caught from the CLI's first moment, before any slow module loading or
 * start-up work, so that an early Ctrl-C is never lost to Node's default (death by signal).
 * What a signal does depends on how far the process has come:
 * - still starting (nothing opened, no command running): exit 0 at once;
 * - a command is running (`commandStarted`): exit 128 + the signal number, as an interrupted
 *   command does;
 * - a long-running command waits for it (`untilShutdown`): the first signal, even one that
 *   came earlier, lets that command shut down cleanly; a second one exits at once.
 * No dependencies beyond node: this module is loaded before everything else.
 */
import { constants } from "node:os";

type ShutdownSignal = "SIGINT" | "SIGTERM";
const SIGNALS: readonly ShutdownSignal[] = ["SIGINT", "SIGTERM"];

type Stage = "starting" | "running" | "waiting";

let stage: Stage = "starting";
let received: ShutdownSignal | undefined;
let wake: (() => void) | undefined;

function interruptedExitCode(signal: ShutdownSignal): number {
  return 128 + constants.signals[signal];
}

function onSignal(signal: ShutdownSignal): void {
  const first = received === undefined;
  received ??= signal;
  if (stage === "starting") process.exit(0);
  if (stage === "running" || !first) process.exit(interruptedExitCode(signal));
  wake?.();
}

/** The first thing the CLI does. */
export function installShutdownSignals(): void {
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/** A command has begun its work: a signal now interrupts it. */
export function commandStarted(): void {
  if (stage === "starting") stage = "running";
}

/**
 * Resolves on the first SIGINT or SIGTERM, at once if one has already arrived since this was
 * called; from this call on signals no longer end the process, the caller shuts down.
 */
export function untilShutdown(): Promise<void> {
  stage = "waiting";
  return new Promise((resolve) => {
    if (received !== undefined) resolve();
    else wake = resolve;
  });
}

/** Whether a shutdown signal has arrived (a long-running command checks between start-up steps). */
export function shutdownRequested(): boolean {
  return received !== undefined;
}

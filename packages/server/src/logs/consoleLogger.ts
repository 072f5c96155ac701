import { pino, type Logger } from "pino";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * The process's console logger (JSON lines, one object per event, as log collectors expect).
 * Written to stderr so that stdout carries only what a user reads or a script parses, such
 * as the "Atoll listening on …" line and `atoll logs` output.
 */
export function createConsoleLogger(
  level: LogLevel,
  destination: NodeJS.WritableStream = process.stderr,
): Logger {
  return pino(
    { level, base: { name: "atoll" }, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
}

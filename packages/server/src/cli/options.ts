import { InvalidArgumentError } from "commander";
import { isLogEntryType, LOG_ENTRY_TYPES, type LogEntryType } from "../logs/LogEntry.js";
import { isLogLevel, LOG_LEVELS, type LogLevel } from "../logs/consoleLogger.js";

/** Parsers for option values; commander turns `InvalidArgumentError` into a usage error. */

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new InvalidArgumentError(
      "a port is a whole number from 0 to 65535 (0 picks a free port)",
    );
  return port;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1)
    throw new InvalidArgumentError("must be a whole number greater than 0");
  return n;
}

export function parseLogLevel(value: string): LogLevel {
  if (!isLogLevel(value)) throw new InvalidArgumentError(`must be one of ${LOG_LEVELS.join(", ")}`);
  return value;
}

export function parseLogType(value: string): LogEntryType {
  if (!isLogEntryType(value))
    throw new InvalidArgumentError(`must be one of ${LOG_ENTRY_TYPES.join(", ")}`);
  return value;
}

export function parseStorageSpec(value: string): string {
  if (value !== "memory" && !/^(sqlite:.+|postgres(ql)?:\/\/.+)/.test(value))
    throw new InvalidArgumentError(
      "use sqlite:<file>, memory or postgres://user:pass@host:port/db",
    );
  return value;
}

export function parseDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new InvalidArgumentError("must be a date, e.g. 2026-01-31 or 2026-01-31T12:00:00Z");
  return date;
}

/**
 * Where an app's data lives when `--storage` is not given: `./data/<appId>.db`, relative to
 * the working directory, so `serve`, `users` and `logs` run from the same place share it.
 */
export function defaultStorageSpec(appId: string): string {
  return `sqlite:./data/${appId.replace(/[^A-Za-z0-9._-]/g, "_")}.db`;
}

/** A parser that throws plain errors, as an option parser: its errors become usage errors. */
export function asOptionParser<A extends unknown[], T>(
  parse: (...args: A) => T,
): (...args: A) => T {
  return (...args) => {
    try {
      return parse(...args);
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
  };
}

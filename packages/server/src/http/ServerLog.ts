/**
 * What the HTTP layer and auth record about each request, login and function call: one entry
 * into the app's log store (read back by `atoll logs`) and, at or above the configured level,
 * one console line. Logging never fails a request: a store failure is reported on the console.
 */
export type LogEntryType = "request" | "auth" | "function" | "sync" | "error" | "config";

/** The shape of an entry in the app's log store. */
export interface ServerLogEntry {
  time: Date;
  type: LogEntryType;
  userId?: string;
  outcome: "ok" | "error";
  message: string;
  details?: Record<string, unknown>;
  logs?: string[];
}

export interface LogSink {
  append(entry: ServerLogEntry): Promise<void>;
}

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const LEVEL_ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function parseLogLevel(level: string | undefined): LogLevel {
  return level !== undefined && Object.hasOwn(LEVEL_ORDER, level) ? (level as LogLevel) : "info";
}

export class ServerLog {
  private readonly threshold: number;

  constructor(
    private readonly store: LogSink,
    level: LogLevel,
    private readonly print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    this.threshold = LEVEL_ORDER[level];
  }

  /** Records the entry; resolves once stored (or once the failure to store was reported). */
  async record(entry: Omit<ServerLogEntry, "time">): Promise<void> {
    const full: ServerLogEntry = { time: new Date(), ...entry };
    const level: LogLevel = entry.outcome === "error" ? (entry.type === "error" ? "error" : "warn") : entry.type === "request" ? "debug" : "info";
    if (LEVEL_ORDER[level] >= this.threshold) {
      const who = entry.userId === undefined ? "" : ` user=${entry.userId}`;
      this.print(`${full.time.toISOString()} ${entry.type} ${entry.outcome}${who} ${entry.message}`);
      for (const line of entry.logs ?? []) this.print(`  | ${line}`);
    }
    try {
      await this.store.append(full);
    } catch (error) {
      if (this.threshold <= LEVEL_ORDER.error) {
        this.print(`${new Date().toISOString()} error could not store a log entry: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

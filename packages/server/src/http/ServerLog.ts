/**
 * What the HTTP layer and auth record about each request, login and function call: one entry
 * in the app's log store (read back by `atoll logs`) and one console line through the
 * process logger. Logging never fails a request: a store failure goes to the console instead.
 */
import type { LogEntry } from "../logs/LogEntry.js";

export interface LogSink {
  append(entry: LogEntry): Promise<void>;
}

type ConsoleMethod = (fields: Record<string, unknown>, message: string) => void;

/** The process's console logger (pino's Logger fits). */
export interface ConsoleLogger {
  debug: ConsoleMethod;
  info: ConsoleMethod;
  warn: ConsoleMethod;
  error: ConsoleMethod;
}

export const SILENT_CONSOLE: ConsoleLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

export class ServerLog {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly store: LogSink,
    private readonly console: ConsoleLogger,
    /** Sees every entry as it is recorded (metrics count logins and function calls from them). */
    private readonly observe: (entry: Omit<LogEntry, "time">) => void = () => {},
  ) {}

  /**
   * Records the entry without making the caller wait (per-request entries, so that logging
   * adds no latency); `flush` waits for such entries.
   */
  recordInBackground(entry: Omit<LogEntry, "time">): void {
    const stored = this.record(entry).finally(() => this.pending.delete(stored));
    this.pending.add(stored);
  }

  /** Resolves once every entry recorded so far is stored (before the store closes). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Records the entry; resolves once stored (or once the failure to store was reported). */
  async record(entry: Omit<LogEntry, "time">): Promise<void> {
    this.observe(entry);
    const full: LogEntry = { time: new Date(), ...entry };
    const method =
      entry.outcome === "ok"
        ? entry.type === "request"
          ? "debug"
          : "info"
        : entry.type === "error"
          ? "error"
          : "warn";
    this.console[method](
      {
        type: entry.type,
        outcome: entry.outcome,
        ...(entry.userId === undefined ? {} : { userId: entry.userId }),
        ...(entry.logs === undefined || entry.logs.length === 0 ? {} : { logs: entry.logs }),
      },
      entry.message,
    );
    try {
      await this.store.append(full);
    } catch (error) {
      this.console.error(
        { type: "error", outcome: "error" },
        `could not store a log entry: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

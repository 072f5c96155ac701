/** What happened, in the categories App Services' log view filters by. */
export const LOG_ENTRY_TYPES = [
  "request",
  "auth",
  "function",
  "sync",
  "error",
  "config",
  "trigger",
] as const;
export type LogEntryType = (typeof LOG_ENTRY_TYPES)[number];

/**
 * One entry of the app's log: every request, login, function call (with its console output),
 * sync session event and error. `atoll logs` prints these.
 */
export interface LogEntry {
  readonly time: Date;
  readonly type: LogEntryType;
  /** The acting user's id, when there is one. */
  readonly userId?: string;
  readonly outcome: "ok" | "error";
  readonly message: string;
  readonly details?: Record<string, unknown>;
  /** Console output of a function call, one line per call of `console.log` & co. */
  readonly logs?: string[];
}

export interface LogQuery {
  /** Only entries at or after this time. */
  readonly since?: Date;
  readonly type?: string;
  readonly userId?: string;
  /** The newest `limit` entries (default 100); the result stays oldest first. */
  readonly limit?: number;
}

export function isLogEntryType(value: unknown): value is LogEntryType {
  return typeof value === "string" && (LOG_ENTRY_TYPES as readonly string[]).includes(value);
}

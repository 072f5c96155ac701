import { EJSON } from "bson";
import type { LogEntry } from "../logs/LogEntry.js";

/**
 * How `atoll logs` prints an entry: one line with time, type, outcome, user and message,
 * then the function's console output and the details, indented. `json` prints one
 * relaxed-EJSON object per line instead, for scripts.
 */
export function formatLogEntry(entry: LogEntry, json: boolean): string {
  if (json) return EJSON.stringify(entry, { relaxed: true });
  const who = entry.userId === undefined ? "" : ` user=${entry.userId}`;
  const lines = [
    `${entry.time.toISOString()} ${entry.type.padEnd(8)} ${entry.outcome.padEnd(5)}${who} ${entry.message}`,
  ];
  for (const line of entry.logs ?? []) lines.push(`    | ${line}`);
  if (entry.details !== undefined && Object.keys(entry.details).length > 0) {
    lines.push(`    ${EJSON.stringify(entry.details, { relaxed: true })}`);
  }
  return lines.join("\n");
}

import type { Document } from "../data/types.js";
import { isLogEntryType, type LogEntry } from "./LogEntry.js";
import { nextLogEntryId } from "./logEntryId.js";

/** Bounds on what one entry keeps, so a chatty function cannot fill the store. */
export const MAX_LOG_LINES = 512;
export const MAX_LINE_LENGTH = 8_192;
const MAX_DETAIL_DEPTH = 8;

/** An entry as stored in `__atoll.logs`; `_id` orders entries by append (see logEntryId.ts). */
export function toStoredEntry(entry: LogEntry): Document {
  const doc: Document = {
    _id: nextLogEntryId(),
    time: entry.time,
    type: entry.type,
    outcome: entry.outcome,
    message: clip(entry.message),
  };
  if (entry.userId !== undefined && entry.userId !== "") doc["userId"] = entry.userId;
  if (entry.details !== undefined) doc["details"] = storableValue(entry.details, 0);
  if (entry.logs !== undefined && entry.logs.length > 0) {
    const lines = entry.logs.slice(0, MAX_LOG_LINES).map(clip);
    if (entry.logs.length > MAX_LOG_LINES)
      lines.push(`… ${entry.logs.length - MAX_LOG_LINES} more lines not kept`);
    doc["logs"] = lines;
  }
  return doc;
}

export function fromStoredEntry(doc: Document): LogEntry {
  const time = doc["time"] instanceof Date ? doc["time"] : new Date(String(doc["time"]));
  const type = isLogEntryType(doc["type"]) ? doc["type"] : "error";
  const entry: { -readonly [K in keyof LogEntry]: LogEntry[K] } = {
    time,
    type,
    outcome: doc["outcome"] === "error" ? "error" : "ok",
    message: String(doc["message"] ?? ""),
  };
  if (typeof doc["userId"] === "string") entry.userId = doc["userId"];
  if (isPlainObject(doc["details"])) entry.details = doc["details"];
  if (Array.isArray(doc["logs"])) entry.logs = doc["logs"].map(String);
  return entry;
}

function clip(line: string): string {
  return line.length <= MAX_LINE_LENGTH
    ? line
    : `${line.slice(0, MAX_LINE_LENGTH)}… (${line.length} characters)`;
}

/**
 * Details come from anywhere (error objects, request data): keep what BSON can store and a
 * reader can use, drop what it cannot (undefined, functions, symbols), and describe errors.
 */
function storableValue(value: unknown, depth: number): unknown {
  if (value === undefined || typeof value === "function" || typeof value === "symbol")
    return undefined;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return clip(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DETAIL_DEPTH) return "…";
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((item) => storableValue(item, depth + 1) ?? null);
  if (!isPlainObject(value)) return value; // Date, ObjectId and other BSON values store as they are
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const stored = storableValue(item, depth + 1);
    if (stored !== undefined) out[key.startsWith("$") ? `_${key}` : key] = stored;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

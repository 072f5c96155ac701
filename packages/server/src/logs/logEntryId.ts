import { randomBytes } from "node:crypto";

/**
 * Log entry ids are strings that sort in the order entries were appended: the append time in
 * milliseconds (13 digits), a per-process counter, and a per-process tag. As strings they can
 * be compared inside the storage engine (range conditions on `_id` are pushed down to SQL),
 * so reading recent entries or following new ones does not decode the whole log.
 *
 * Within one process ids strictly increase, even if the clock steps back. Across processes
 * they interleave by time; entries appended in the same millisecond by two processes are
 * ordered by counter and tag, which is arbitrary but stable.
 */
const PROCESS_TAG = randomBytes(4).toString("hex");
let lastMs = 0;
let counter = 0;

export function nextLogEntryId(now: number = Date.now()): string {
  const ms = Math.max(now, lastMs);
  counter = ms === lastMs ? counter + 1 : 0;
  lastMs = ms;
  return `${idTime(ms)}-${counter.toString(36).padStart(6, "0")}-${PROCESS_TAG}`;
}

/** The smallest id an entry appended at or after `time` can have. */
export function logEntryIdFloor(time: Date): string {
  return idTime(Math.max(0, time.getTime()));
}

function idTime(ms: number): string {
  return String(ms).padStart(13, "0");
}

import type { Collection, DataService, Document } from "../data/types.js";
import type { LogEntry, LogQuery } from "./LogEntry.js";
import { logEntryIdFloor, nextLogEntryId } from "./logEntryId.js";
import { fromStoredEntry, toStoredEntry } from "./storedEntry.js";

export type { LogEntry, LogEntryType, LogQuery } from "./LogEntry.js";

export const LOGS_DATABASE = "__atoll";
export const LOGS_COLLECTION = "logs";
const DEFAULT_QUERY_LIMIT = 100;
const DEFAULT_POLL_MS = 500;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/**
 * How far back `query` looks: the last ten seconds first, then wider, until a window holds enough
 * matches. A busy server writes thousands of entries an hour; reading the newest hundred
 * should not decode them all.
 */
const QUERY_WINDOWS_MS = [
  10_000,
  MINUTE,
  10 * MINUTE,
  HOUR,
  24 * HOUR,
  7 * 24 * HOUR,
  Number.POSITIVE_INFINITY,
];
/** Entries are keyed by append time; their `time` may be a little earlier. */
const APPEND_SLACK_MS = 10 * 60_000;

interface Pending {
  readonly doc: Document;
  readonly done: (error?: unknown) => void;
}

/**
 * The app's log, kept in `__atoll.logs` through the system data service, so it lives in the
 * same store as the app's data and a second process (`atoll logs` beside a running server)
 * reads what the server writes.
 *
 * Appends that arrive while a write is in flight are written together in one batch, so a
 * busy server pays one durable commit per batch rather than per entry. Followers are woken
 * at once by entries this instance appends, and poll the store for entries other processes
 * append (the server's own databases have no change feed).
 */
export class LogStore {
  private readonly collection: Collection;
  private readonly wakers = new Set<() => void>();
  private pending: Pending[] = [];
  private writing = false;

  constructor(
    data: { system(): DataService },
    private readonly options: { pollMs?: number } = {},
  ) {
    this.collection = data.system().db(LOGS_DATABASE).collection(LOGS_COLLECTION);
  }

  /** Resolves once the entry is stored (durably, with the batch it was written in). */
  append(entry: LogEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({
        doc: toStoredEntry(entry),
        done: (error) => (error === undefined ? resolve() : reject(asError(error))),
      });
      if (!this.writing) void this.writePending();
    });
  }

  private async writePending(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.collection.insertMany(batch.map((p) => p.doc));
        for (const p of batch) p.done();
      } catch (error) {
        for (const p of batch) p.done(error);
      }
      for (const wake of this.wakers) wake();
    }
    this.writing = false;
  }

  /**
   * Matching entries, oldest first: the newest `limit` of them. Looks at the last seconds
   * first and widens the window only while it holds fewer than `limit` matches.
   */
  async query(q: LogQuery = {}): Promise<LogEntry[]> {
    const limit = Math.max(1, Math.floor(q.limit ?? DEFAULT_QUERY_LIMIT));
    const filter = filterFor(q);
    const sinceFloor = q.since === undefined ? 0 : q.since.getTime() - APPEND_SLACK_MS;
    const now = Date.now();
    for (const window of QUERY_WINDOWS_MS) {
      // A window reaching back past `since` (the last one reaches back forever) sees every match.
      const seesAll = now - window <= sinceFloor;
      const lower = seesAll ? sinceFloor : now - window;
      const windowed =
        lower > 0 ? { ...filter, _id: { $gte: logEntryIdFloor(new Date(lower)) } } : filter;
      const newestFirst = await this.collection.find(windowed, { sort: { _id: -1 }, limit });
      if (newestFirst.length >= limit || seesAll) return newestFirst.reverse().map(fromStoredEntry);
    }
    return [];
  }

  /**
   * Calls `onEntry` for every entry appended from now on, in order, until the returned
   * function is called. Entries already stored are not replayed (query them first).
   */
  follow(
    onEntry: (entry: LogEntry) => void,
    onError: (error: unknown) => void = () => {},
  ): () => void {
    let stopped = false;
    let queued = false;
    // Entries with a greater `_id` are new. A fresh id is greater than any this process has
    // given out, and smaller than any appended from now on.
    let cursor = nextLogEntryId();
    const drain = async (): Promise<void> => {
      const fresh = await this.collection.find({ _id: { $gt: cursor } }, { sort: { _id: 1 } });
      for (const doc of fresh) {
        if (stopped) return;
        cursor = String(doc["_id"]);
        onEntry(fromStoredEntry(doc));
      }
    };
    // Drains run one after another; wakes that arrive while one is queued share it.
    let chain: Promise<void> = Promise.resolve();
    const wake = (): void => {
      if (stopped || queued) return;
      queued = true;
      chain = chain
        .then(() => {
          queued = false;
          return stopped ? undefined : drain();
        })
        .catch(onError);
    };
    this.wakers.add(wake);
    const timer = setInterval(wake, this.options.pollMs ?? DEFAULT_POLL_MS);
    timer.unref();
    return () => {
      stopped = true;
      clearInterval(timer);
      this.wakers.delete(wake);
    };
  }
}

function filterFor(q: LogQuery): Document {
  const filter: Document = {};
  if (q.since !== undefined) filter["time"] = { $gte: q.since };
  if (q.type !== undefined) filter["type"] = q.type;
  if (q.userId !== undefined) filter["userId"] = q.userId;
  return filter;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

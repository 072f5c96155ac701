import type { Collection, DataService, Document } from "../data/types.js";
import type { LogEntry, LogQuery } from "./LogEntry.js";
import { fromStoredEntry, toStoredEntry } from "./storedEntry.js";

export type { LogEntry, LogEntryType, LogQuery } from "./LogEntry.js";

export const LOGS_DATABASE = "__atoll";
export const LOGS_COLLECTION = "logs";
const DEFAULT_QUERY_LIMIT = 100;
const DEFAULT_POLL_MS = 500;

/**
 * The app's log, kept in `__atoll.logs` through the system data service, so it lives in the
 * same store as the app's data and a second process (`atoll logs` beside a running server)
 * reads what the server writes.
 *
 * Followers are woken at once by entries this instance appends, and poll the store for
 * entries other processes append (the server's own databases have no change feed).
 */
export class LogStore {
  private readonly collection: Collection;
  private readonly wakers = new Set<() => void>();

  constructor(
    data: { system(): DataService },
    private readonly options: { pollMs?: number } = {},
  ) {
    this.collection = data.system().db(LOGS_DATABASE).collection(LOGS_COLLECTION);
  }

  /** Resolves once the entry is stored. */
  async append(entry: LogEntry): Promise<void> {
    await this.collection.insertOne(toStoredEntry(entry));
    for (const wake of this.wakers) wake();
  }

  /** Matching entries, oldest first: the newest `limit` of them. */
  async query(q: LogQuery = {}): Promise<LogEntry[]> {
    const limit = Math.max(1, Math.floor(q.limit ?? DEFAULT_QUERY_LIMIT));
    const newestFirst = await this.collection.find(filterFor(q), { sort: { _id: -1 }, limit });
    return newestFirst.reverse().map(fromStoredEntry);
  }

  /**
   * Calls `onEntry` for every entry appended from now on, in order, until the returned
   * function is called. Entries already stored are not replayed (query them first).
   */
  follow(onEntry: (entry: LogEntry) => void, onError: (error: unknown) => void = () => {}): () => void {
    let stopped = false;
    let queued = false;
    /** `_id` of the last entry seen; entries after it are new. */
    let cursor: unknown;
    const drain = async (): Promise<void> => {
      const fresh = await this.collection.find(cursor === undefined ? {} : { _id: { $gt: cursor } }, { sort: { _id: 1 } });
      for (const doc of fresh) {
        if (stopped) return;
        cursor = doc["_id"];
        onEntry(fromStoredEntry(doc));
      }
    };
    // Drains run one after another; wakes that arrive while one is queued share it.
    let chain: Promise<void> = this.newestId()
      .then((id) => {
        cursor = id;
      })
      .catch(onError);
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

  private async newestId(): Promise<unknown> {
    const newest = await this.collection.find({}, { sort: { _id: -1 }, limit: 1, projection: { _id: 1 } });
    return newest[0]?.["_id"];
  }
}

function filterFor(q: LogQuery): Document {
  const filter: Document = {};
  if (q.since !== undefined) filter["time"] = { $gte: q.since };
  if (q.type !== undefined) filter["type"] = q.type;
  if (q.userId !== undefined) filter["userId"] = q.userId;
  return filter;
}

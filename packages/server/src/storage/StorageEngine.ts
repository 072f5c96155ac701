/**
 * The one storage interface of the server. Everything that persists (app documents, the
 * server's own `__atoll*` bookkeeping, the change feed) goes through it; nothing above this
 * folder writes SQL. Engines: SQLite (`SqliteStorage`, embedded, one process) and PostgreSQL
 * (`PostgresStorage`, several processes on one database); both run the shared suite in
 * `test-support/describeStorageContract.ts`. "Instances on one database" below means engines
 * opened on the same store: the same SQLite file in one process, or the same PostgreSQL
 * database and schema from any number of processes.
 *
 * Contract every engine keeps:
 * - **Documents** live in namespaces `{db, coll}` and are keyed by `_id`, compared by value
 *   (an ObjectId and its hex string are different keys; `ObjectId("a…")` twice is one key).
 *   Values are BSON values as `data/types.ts` describes; a document read back equals the one
 *   written, types included.
 * - **Versions.** Every stored document carries a `version` that changes on each write to it
 *   and is never reused by the engine. Writers read, compute, then `commit` with the version
 *   they read: that is how a read-modify-write stays correct without holding locks across
 *   awaits (rule checks may call functions that themselves write).
 * - **Atomic batches.** `commit` applies all of its operations or none. A stale
 *   `expectedVersion`, a document that vanished, or an insert of an existing `_id` rejects the
 *   whole batch with a `StorageError` (`Conflict` / `DuplicateKey`).
 * - **Ordering.** Every change record gets a `seq`, strictly increasing in commit order across
 *   all instances on one database and, within a batch, in operation order. Seqs are not
 *   promised gap-free (consumers step with `changesSince`, never by `seq + 1`), but a batch
 *   that becomes visible later never has a smaller seq than one visible before it: a reader
 *   that has seen everything up to `seq` s never later finds a record with a seq ≤ s.
 *   Namespaces whose database starts with `__atoll` get no change records.
 * - **Concurrency.** Instances on one database may commit at once: each batch is atomic and
 *   version-checked against what is committed, so of two writes based on one version exactly
 *   one succeeds (no lost update) and every successful batch has all its change records.
 * - **Durability.** When `commit`'s promise resolves, the documents and their change records
 *   are on disk together (same transaction); a crash afterwards loses neither.
 * - **Origin.** A batch may name its origin (an opaque tag such as "sync"); every change
 *   record of the batch carries it, durably, so a consumer can tell its own writes from
 *   everyone else's (sync turns the others' into history).
 * - **Visibility.** Reads see only committed batches. `onCommit` listeners are called after a
 *   batch is durable, with its change records, in seq order, each batch exactly once, also for
 *   batches other instances on the same database committed (SQLite: instances in this
 *   process; PostgreSQL: any process, woken by LISTEN/NOTIFY then reading the records after
 *   the last seq delivered). A batch this instance commits has been delivered when `commit`
 *   resolves; one from elsewhere arrives soon after it commits. The records may share objects
 *   with the committed operations, so listeners treat them as read-only.
 * - **Scans** return a namespace's documents in insertion order. `ScanQuery.filter` and
 *   `ScanQuery.rql` are hints an engine may use to return fewer documents (pushdown); callers
 *   always re-apply their filter, so returning a superset is always correct. `ids` is exact.
 *   `scanStream` yields what `scan` returns, in pages, reading one consistent state of the
 *   namespace, without ever holding the whole namespace in memory; a consumer that stops early
 *   (`break`) releases what the stream held.
 * - **Wake-ups.** `notify(channel)` calls every `listen(channel)` listener of every instance on
 *   the same database, this one included, at least once after the call (wake-ups may merge,
 *   and an engine may add spurious ones, e.g. after it lost and regained its connection), so
 *   a listener re-reads whatever it waits for.
 */
import type { BoundQuery } from "@atoll/rql";
import type { ChangeEvent, Document } from "../data/types.js";

export interface Namespace {
  readonly db: string;
  readonly coll: string;
}

export interface StoredDocument {
  readonly doc: Document;
  readonly version: number;
}

export interface ScanQuery {
  /** Only documents whose `_id` equals one of these. */
  readonly ids?: readonly unknown[];
  /** MQL filter the engine may push down; callers re-check every returned document. */
  readonly filter?: Document;
  /**
   * Subscription queries on the namespace's documents: the engine may return only documents
   * that at least one of them matches (callers re-evaluate them).
   */
  readonly rql?: readonly BoundQuery[];
}

export type WriteOp =
  | { readonly kind: "insert"; readonly ns: Namespace; readonly doc: Document }
  | {
      readonly kind: "update";
      readonly ns: Namespace;
      readonly doc: Document;
      readonly expectedVersion: number;
      readonly updateDescription: {
        readonly updatedFields: Document;
        readonly removedFields: readonly string[];
      };
    }
  | {
      readonly kind: "replace";
      readonly ns: Namespace;
      readonly doc: Document;
      readonly expectedVersion: number;
    }
  | {
      readonly kind: "delete";
      readonly ns: Namespace;
      readonly id: unknown;
      readonly expectedVersion: number;
    };

/**
 * A change record: the public change event plus, for updates, replaces and deletes, the
 * document as it was, so consumers (rules on watch streams, sync views) can tell whom the
 * change concerned before it was made.
 */
export interface ChangeRecord extends ChangeEvent {
  readonly fullDocumentBeforeChange?: Document;
  /** The origin the committing batch named, if any. */
  readonly origin?: string;
}

export interface CommitOptions {
  readonly origin?: string;
}

export interface StorageEngine {
  get(ns: Namespace, id: unknown): Promise<StoredDocument | null>;
  scan(ns: Namespace, query?: ScanQuery): Promise<StoredDocument[]>;
  /** What `scan` returns, as pages of at most `pageSize` documents read from one snapshot. */
  scanStream(
    ns: Namespace,
    query?: ScanQuery,
    pageSize?: number,
  ): AsyncIterable<readonly StoredDocument[]>;
  commit(batch: readonly WriteOp[], options?: CommitOptions): Promise<readonly ChangeRecord[]>;
  /** Change records with `seq > afterSeq`, oldest first, at most `limit`. */
  changesSince(afterSeq: number, limit?: number): Promise<ChangeRecord[]>;
  /** The `seq` of the newest change record (0 when there is none). */
  lastSeq(): Promise<number>;
  /**
   * `listener` is called after each durable batch that produced change records, `onClosed`
   * once when the engine closes (so live consumers can end); returns an unsubscribe.
   */
  onCommit(listener: (records: readonly ChangeRecord[]) => void, onClosed?: () => void): () => void;
  listNamespaces(): Promise<Namespace[]>;
  /** Wakes every listener on `channel` of every engine instance on the same database, this one included. */
  notify(channel: string): Promise<void>;
  /** Calls `listener` on each wake-up on `channel`; returns an unsubscribe. */
  listen(channel: string, listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * The embedded engine: one SQLite file per app (better-sqlite3, WAL, synchronous=FULL so a
 * resolved commit is on disk), or `:memory:`. better-sqlite3 is synchronous, so each commit
 * runs as one SQLite transaction without yielding: batches are serialised by construction.
 * A run of consecutive inserts in a batch (the shape of data ingest) is written with a few
 * multi-row statements rather than two statements per document; the row-by-row writer stays
 * as the reference it is tested against and as the replay that names a failed run's culprit.
 * Several instances may open one file in one process (each commits in an immediate
 * transaction and reads the version counter from the file); they share a `SqliteHub` that
 * hands each committed batch to every instance's commit listeners, and carries wake-ups.
 * See `StorageEngine.ts` for the contract.
 */
import { resolve } from "node:path";
import Database, { SqliteError } from "better-sqlite3";
import {
  decodeDocument,
  encodeDocument,
  idDocumentSql,
  idDocumentText,
  idKey,
} from "./documentCodec.js";
import { changeRecord, isInternalDatabase, toChangeRecord } from "./changeRecords.js";
import type { ChangeContext, ChangeRow } from "./changeRecords.js";
import { migrate } from "./sqliteMigrations.js";
import { SqliteMultiRowInsert } from "./sqliteMultiRowInsert.js";
import { rqlCondition } from "./rqlPushdown.js";
import { SqliteHub } from "./SqliteHub.js";
import type { SqliteMembership } from "./SqliteHub.js";
import { pushdownCondition } from "./sqlitePushdown.js";
import type { SqlCondition } from "./sqlitePushdown.js";
import { CommitListeners } from "./CommitListeners.js";
import { StorageError } from "./StorageError.js";
import type {
  CommitOptions,
  ChangeRecord,
  Namespace,
  ScanQuery,
  StorageEngine,
  StoredDocument,
  WriteOp,
} from "./StorageEngine.js";

export interface SqliteStorageOptions {
  /** The clock stamped on change records, read once per commit (tests inject one). */
  readonly now?: () => Date;
  /**
   * Write every operation with its own statements, as the engine did before it wrote runs of
   * inserts with multi-row statements: the reference the batched writer is tested against.
   */
  readonly rowByRow?: boolean;
}

/** Documents per page of `scanStream` unless the caller says otherwise. */
export const DEFAULT_PAGE_SIZE = 256;

export { isInternalDatabase } from "./changeRecords.js";

interface DocumentRow {
  readonly body: string;
  readonly version: number;
}

export class SqliteStorage implements StorageEngine {
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #hub: SqliteMembership;
  readonly #now: () => Date;
  readonly #listeners = new CommitListeners();
  readonly #statements = new Map<string, Database.Statement>();
  readonly #rowByRow: boolean;
  #documentInserts: SqliteMultiRowInsert | undefined;
  /** The version counter while a commit's transaction runs (read from the file at its start). */
  #lastVersion = 0;
  #closed = false;

  constructor(file: string, options: SqliteStorageOptions = {}) {
    this.#db = new Database(file);
    this.#file = file;
    this.#now = options.now ?? (() => new Date());
    this.#rowByRow = options.rowByRow ?? false;
    // Takes effect only on a new store (before anything is written to it); an existing one
    // keeps its page size. 16 KiB pages make a commit of many documents write and sync about
    // a third less (fewer frames, fewer B-tree pages touched) than the default 4 KiB.
    this.#db.pragma("page_size = 16384");
    if (file !== ":memory:") this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    // Another instance on the file may hold the write lock for the length of one commit.
    this.#db.pragma("busy_timeout = 5000");
    try {
      migrate(this.#db);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#hub = SqliteHub.join(file === ":memory:" ? undefined : resolve(file), (records) =>
      this.#deliver(records),
    );
  }

  async get(ns: Namespace, id: unknown): Promise<StoredDocument | null> {
    const row = this.#statement(
      "SELECT body, version FROM documents WHERE db = ? AND coll = ? AND id_key = ?",
    ).get(ns.db, ns.coll, idKey(id)) as DocumentRow | undefined;
    return row === undefined ? null : toStored(row);
  }

  async scan(ns: Namespace, query: ScanQuery = {}): Promise<StoredDocument[]> {
    if (query.ids !== undefined) {
      const keys = [...new Set(query.ids.map(idKey))];
      const byId = this.#statement(
        "SELECT rowid, body, version FROM documents WHERE db = ? AND coll = ? AND id_key = ?",
      );
      const rows = keys
        .map(
          (key) => byId.get(ns.db, ns.coll, key) as (DocumentRow & { rowid: number }) | undefined,
        )
        .filter((row): row is DocumentRow & { rowid: number } => row !== undefined)
        .sort((a, b) => a.rowid - b.rowid);
      return rows.map(toStored);
    }
    const narrowing = narrowingCondition(query);
    const rows = this.#statement(
      `SELECT body, version FROM documents WHERE db = ? AND coll = ?${narrowing.sql} ORDER BY rowid`,
    ).all(ns.db, ns.coll, ...narrowing.params) as DocumentRow[];
    return rows.map(toStored);
  }

  /**
   * A namespace that fits in one page is read by one statement. A larger one in a file store
   * is read through a read-only connection of its own, in one read transaction (WAL keeps its
   * snapshot while others commit), a page at a time. A store in memory has no second
   * connection: it is read at once (it is all in memory anyway) and handed out in pages.
   */
  async *scanStream(
    ns: Namespace,
    query: ScanQuery = {},
    pageSize = DEFAULT_PAGE_SIZE,
  ): AsyncGenerator<readonly StoredDocument[]> {
    if (query.ids !== undefined || this.#file === ":memory:") {
      const all = await this.scan(ns, query);
      for (let at = 0; at < all.length; at += pageSize) yield all.slice(at, at + pageSize);
      return;
    }
    const narrowing = narrowingCondition(query);
    const first = this.#statement(
      `SELECT body, version FROM documents WHERE db = ? AND coll = ?${narrowing.sql} ORDER BY rowid LIMIT ?`,
    ).all(ns.db, ns.coll, ...narrowing.params, pageSize + 1) as DocumentRow[];
    if (first.length <= pageSize) {
      if (first.length > 0) yield first.map(toStored);
      return;
    }
    const reader = new Database(this.#file, { readonly: true, fileMustExist: true });
    try {
      reader.exec("BEGIN");
      const page = reader.prepare(
        `SELECT rowid, body, version FROM documents
         WHERE db = ? AND coll = ? AND rowid > ?${narrowing.sql} ORDER BY rowid LIMIT ?`,
      );
      let after = 0;
      for (;;) {
        const rows = page.all(
          ns.db,
          ns.coll,
          after,
          ...narrowing.params,
          pageSize,
        ) as (DocumentRow & {
          rowid: number;
        })[];
        const last = rows.at(-1);
        if (last === undefined) return;
        after = last.rowid;
        yield rows.map(toStored);
        if (rows.length < pageSize) return;
      }
    } finally {
      reader.close();
    }
  }

  async commit(
    batch: readonly WriteOp[],
    options: CommitOptions = {},
  ): Promise<readonly ChangeRecord[]> {
    const change: ChangeContext = { time: this.#now(), origin: options.origin };
    let records: ChangeRecord[];
    if (this.#rowByRow) {
      records = this.#transaction(() => this.#applyRowByRow(batch, change));
    } else {
      try {
        records = this.#transaction(() => this.#applyBatched(batch, change));
      } catch (error) {
        if (!(error instanceof ReplayRowByRow)) throw error;
        // A run of inserts failed (rolled back with the rest of the batch). Replayed row by
        // row, the batch fails the same way and names the culprit as it always did: the first
        // offending operation, in operation order.
        records = this.#transaction(() => this.#applyRowByRow(batch, change));
      }
    }
    if (records.length > 0) this.#hub.committed(records);
    return records;
  }

  /**
   * Runs `apply` in an immediate transaction (the write lock taken up front, so a snapshot
   * never turns stale under it), with the version counter read from the file first and
   * written back last: every instance on the file draws versions from one counter.
   */
  #transaction(apply: () => ChangeRecord[]): ChangeRecord[] {
    const db = this.#open();
    return db
      .transaction(() => {
        const row = this.#statement(
          "SELECT value FROM atoll_meta WHERE key = 'last_version'",
        ).get() as { value: string };
        this.#lastVersion = Number(row.value);
        const records = apply();
        this.#statement("UPDATE atoll_meta SET value = ? WHERE key = 'last_version'").run(
          String(this.#lastVersion),
        );
        return records;
      })
      .immediate();
  }

  #deliver(records: readonly ChangeRecord[]): void {
    this.#listeners.deliver(records);
  }

  async changesSince(afterSeq: number, limit = 1000): Promise<ChangeRecord[]> {
    const rows = this.#statement("SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?").all(
      afterSeq,
      limit,
    ) as ChangeRow[];
    return rows.map(toChangeRecord);
  }

  async lastSeq(): Promise<number> {
    const row = this.#statement("SELECT MAX(seq) AS seq FROM changes").get() as {
      seq: number | null;
    };
    return row.seq ?? 0;
  }

  onCommit(
    listener: (records: readonly ChangeRecord[]) => void,
    onClosed?: () => void,
  ): () => void {
    return this.#listeners.add(listener, onClosed);
  }

  async listNamespaces(): Promise<Namespace[]> {
    const rows = this.#statement(
      "SELECT DISTINCT db, coll FROM documents ORDER BY db, coll",
    ).all() as Namespace[];
    return rows.map(({ db, coll }) => ({ db, coll }));
  }

  /** SQLite's online backup: pages copied in steps, restarted when another connection writes. */
  async backup(file: string): Promise<void> {
    await this.#open().backup(file);
  }

  async notify(channel: string): Promise<void> {
    this.#open();
    this.#hub.notify(channel);
  }

  listen(channel: string, listener: () => void): () => void {
    return this.#hub.listen(channel, listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.leave();
    this.#db.close();
    this.#listeners.close();
  }

  /** Prepared statements are cached by SQL text: preparing costs more than running. */
  #statement(sql: string): Database.Statement {
    this.#open();
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      if (this.#statements.size > 500) this.#statements.clear();
      statement = this.#open().prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #open(): Database.Database {
    if (this.#closed) throw new StorageError("Closed", "the storage engine is closed");
    return this.#db;
  }

  #applyRowByRow(batch: readonly WriteOp[], change: ChangeContext): ChangeRecord[] {
    const records: ChangeRecord[] = [];
    for (const op of batch) this.#apply(op, change, records);
    return records;
  }

  /**
   * What `#applyRowByRow` does, with each run of consecutive inserts (into namespaces that are
   * all internal or all not) written in one go: its documents by multi-row statements, then
   * its change records copied from the rows just written by one statement. Rows, versions and
   * seqs come out as row by row: both tables number their rows in insertion order.
   */
  #applyBatched(batch: readonly WriteOp[], change: ChangeContext): ChangeRecord[] {
    const records: ChangeRecord[] = [];
    let from = 0;
    while (from < batch.length) {
      const first = batch[from] as WriteOp;
      const internal = isInternalDatabase(first.ns.db);
      let to = from;
      while (to < batch.length) {
        const op = batch[to] as WriteOp;
        if (op.kind !== "insert" || isInternalDatabase(op.ns.db) !== internal) break;
        to++;
      }
      if (to - from > 1) {
        this.#insertRun(batch as readonly InsertOp[], from, to, internal, change, records);
        from = to;
      } else {
        this.#apply(first, change, records);
        from++;
      }
    }
    return records;
  }

  /**
   * Inserts `batch[from..to)`, all inserts into internal namespaces or all into others;
   * appends their change records to `records`.
   */
  #insertRun(
    batch: readonly InsertOp[],
    from: number,
    to: number,
    internal: boolean,
    change: ChangeContext,
    records: ChangeRecord[],
  ): void {
    const values: unknown[] = [];
    try {
      for (let i = from; i < to; i++) {
        const { ns, doc } = batch[i] as InsertOp;
        const key = idKey(doc._id);
        const version = ++this.#lastVersion;
        values.push(ns.db, ns.coll, key, encodeDocument(doc), version);
      }
    } catch (error) {
      // Row by row, an earlier operation of the run may fail first (a duplicate _id).
      throw new ReplayRowByRow("a document of a run cannot be encoded", { cause: error });
    }
    let lastRowid: number;
    try {
      lastRowid = this.#insertDocuments().insert(values);
    } catch (error) {
      // An _id already taken, stored or earlier in the run: the replay names it.
      if (!(error instanceof SqliteError && error.code.startsWith("SQLITE_CONSTRAINT")))
        throw error;
      throw new ReplayRowByRow("a run of inserts breaks a constraint", { cause: error });
    }
    const count = to - from;
    if (internal) return;
    const copied = this.#statement(COPY_RUN_CHANGES_SQL).run(
      change.time.getTime(),
      change.origin ?? null,
      lastRowid - count,
    );
    if (copied.changes !== count) throw new Error("a run's change records were not all written");
    let seq = Number(copied.lastInsertRowid) - count;
    for (let i = from; i < to; i++)
      records.push(changeRecord(++seq, batch[i] as InsertOp, change, null));
  }

  #insertDocuments(): SqliteMultiRowInsert {
    this.#documentInserts ??= new SqliteMultiRowInsert(this.#db, "documents", DOCUMENT_COLUMNS);
    return this.#documentInserts;
  }

  /**
   * Applies one operation inside the batch's transaction; appends its change record, if any,
   * to `records`. The record shares the operation's document objects (read-only by contract)
   * rather than decoding what was just encoded.
   */
  #apply(op: WriteOp, change: ChangeContext, records: ChangeRecord[]): void {
    const { ns } = op;
    const id = op.kind === "delete" ? op.id : op.doc._id;
    const key = idKey(id);
    const version = ++this.#lastVersion;
    const body = op.kind === "delete" ? null : encodeDocument(op.doc);
    let beforeText: string | null = null;
    if (op.kind === "insert") {
      try {
        this.#statement(INSERT_DOCUMENT_SQL).run(ns.db, ns.coll, key, body, version);
      } catch (error) {
        if ((error as { code?: unknown }).code !== "SQLITE_CONSTRAINT_UNIQUE") throw error;
        throw new StorageError("DuplicateKey", `duplicate _id ${key} in ${ns.db}.${ns.coll}`, {
          details: { id },
        });
      }
    } else {
      const row = this.#statement(
        "SELECT body, version FROM documents WHERE db = ? AND coll = ? AND id_key = ?",
      ).get(ns.db, ns.coll, key) as DocumentRow | undefined;
      if (row === undefined || row.version !== op.expectedVersion) {
        throw new StorageError(
          "Conflict",
          `document ${key} in ${ns.db}.${ns.coll} changed concurrently`,
        );
      }
      beforeText = row.body;
      if (op.kind === "delete") {
        this.#statement("DELETE FROM documents WHERE db = ? AND coll = ? AND id_key = ?").run(
          ns.db,
          ns.coll,
          key,
        );
      } else {
        this.#statement(
          "UPDATE documents SET body = ?, version = ? WHERE db = ? AND coll = ? AND id_key = ?",
        ).run(body, version, ns.db, ns.coll, key);
      }
    }
    if (isInternalDatabase(ns.db)) return;
    const result = this.#statement(INSERT_CHANGE_SQL).run(
      change.time.getTime(),
      ns.db,
      ns.coll,
      op.kind,
      idDocumentText(key),
      body,
      op.kind === "update" ? encodeDocument({ ...op.updateDescription }) : null,
      beforeText,
      change.origin ?? null,
    );
    records.push(changeRecord(Number(result.lastInsertRowid), op, change, beforeText));
  }
}

type InsertOp = Extract<WriteOp, { kind: "insert" }>;

const DOCUMENT_COLUMNS = ["db", "coll", "id_key", "body", "version"] as const;
const CHANGE_COLUMNS = [
  "time",
  "db",
  "coll",
  "op",
  "document_key",
  "full_document",
  "update_description",
  "before_document",
  "origin",
] as const;

/** A run of inserts failed inside a batched commit: the batch is to be replayed row by row. */
class ReplayRowByRow extends Error {}

const INSERT_DOCUMENT_SQL = `INSERT INTO documents (${DOCUMENT_COLUMNS.join(", ")}) VALUES (?, ?, ?, ?, ?)`;
const INSERT_CHANGE_SQL = `INSERT INTO changes (${CHANGE_COLUMNS.join(", ")}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
/** Change records (time, origin) of a run of inserts: the document rows after a rowid. */
const COPY_RUN_CHANGES_SQL = `INSERT INTO changes (${CHANGE_COLUMNS.join(", ")})
  SELECT ?, db, coll, 'insert', ${idDocumentSql("id_key")}, body, NULL, NULL, ?
  FROM documents WHERE rowid > ? ORDER BY rowid`;

/** The scan's narrowing hints as SQL to append to its WHERE clause (empty when none). */
function narrowingCondition(query: ScanQuery): SqlCondition {
  const parts: SqlCondition[] = [];
  const pushed = pushdownCondition(query.filter);
  if (pushed !== null) parts.push(pushed);
  const rql = rqlCondition(query.rql, { dialect: "sqlite", documentColumn: "body" });
  if (rql !== null) parts.push({ sql: rql.where, params: rql.params });
  return {
    sql: parts.map((part) => ` AND (${part.sql})`).join(""),
    params: parts.flatMap((part) => part.params),
  };
}

function toStored(row: DocumentRow): StoredDocument {
  return { doc: decodeDocument(row.body), version: row.version };
}

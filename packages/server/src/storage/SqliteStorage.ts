/**
 * The embedded engine: one SQLite file per app (better-sqlite3, WAL, synchronous=FULL so a
 * resolved commit is on disk), or `:memory:`. better-sqlite3 is synchronous, so each commit
 * runs as one SQLite transaction without yielding: batches are serialised by construction.
 * A run of consecutive inserts in a batch (the shape of data ingest) is written with a few
 * multi-row statements rather than two statements per document; the row-by-row writer stays
 * as the reference it is tested against and as the replay that names a failed run's culprit.
 * See `StorageEngine.ts` for the contract.
 */
import Database, { SqliteError } from "better-sqlite3";
import {
  decodeDocument,
  encodeDocument,
  idDocumentSql,
  idDocumentText,
  idKey,
} from "./documentCodec.js";
import { migrate } from "./sqliteMigrations.js";
import { SqliteMultiRowInsert } from "./sqliteMultiRowInsert.js";
import { pushdownCondition } from "./sqlitePushdown.js";
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
import type { OperationType } from "../data/types.js";

export interface SqliteStorageOptions {
  /** The clock stamped on change records, read once per commit (tests inject one). */
  readonly now?: () => Date;
  /**
   * Write every operation with its own statements, as the engine did before it wrote runs of
   * inserts with multi-row statements: the reference the batched writer is tested against.
   */
  readonly rowByRow?: boolean;
}

interface DocumentRow {
  readonly body: string;
  readonly version: number;
}

interface ChangeRow {
  readonly seq: number;
  readonly time: number;
  readonly db: string;
  readonly coll: string;
  readonly op: OperationType;
  readonly document_key: string;
  readonly full_document: string | null;
  readonly update_description: string | null;
  readonly before_document: string | null;
  readonly origin: string | null;
}

/** Databases of the server's own bookkeeping: stored like any other, never in the change feed. */
export function isInternalDatabase(db: string): boolean {
  return db.startsWith("__atoll");
}

export class SqliteStorage implements StorageEngine {
  readonly #db: Database.Database;
  readonly #now: () => Date;
  readonly #listeners = new Set<(records: readonly ChangeRecord[]) => void>();
  readonly #closeListeners = new Set<() => void>();
  readonly #wakeListeners = new Map<string, Set<() => void>>();
  readonly #statements = new Map<string, Database.Statement>();
  readonly #rowByRow: boolean;
  #documentInserts: SqliteMultiRowInsert | undefined;
  #lastVersion: number;
  #closed = false;

  constructor(file: string, options: SqliteStorageOptions = {}) {
    this.#db = new Database(file);
    this.#now = options.now ?? (() => new Date());
    this.#rowByRow = options.rowByRow ?? false;
    // Takes effect only on a new store (before anything is written to it); an existing one
    // keeps its page size. 16 KiB pages make a commit of many documents write and sync about
    // a third less (fewer frames, fewer B-tree pages touched) than the default 4 KiB.
    this.#db.pragma("page_size = 16384");
    if (file !== ":memory:") this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    try {
      migrate(this.#db);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    const row = this.#db.prepare("SELECT MAX(version) AS v FROM documents").get() as {
      v: number | null;
    };
    this.#lastVersion = row.v ?? 0;
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
    const pushed = pushdownCondition(query.filter);
    const where = pushed === null ? "" : ` AND (${pushed.sql})`;
    const rows = this.#statement(
      `SELECT body, version FROM documents WHERE db = ? AND coll = ?${where} ORDER BY rowid`,
    ).all(ns.db, ns.coll, ...(pushed?.params ?? [])) as DocumentRow[];
    return rows.map(toStored);
  }

  async commit(
    batch: readonly WriteOp[],
    options: CommitOptions = {},
  ): Promise<readonly ChangeRecord[]> {
    const db = this.#open();
    const change: ChangeContext = { time: this.#now(), origin: options.origin };
    const firstVersion = this.#lastVersion;
    let records: ChangeRecord[];
    if (this.#rowByRow) {
      records = db.transaction(() => this.#applyRowByRow(batch, change))();
    } else {
      try {
        records = db.transaction(() => this.#applyBatched(batch, change))();
      } catch (error) {
        if (!(error instanceof ReplayRowByRow)) throw error;
        // A run of inserts failed (rolled back with the rest of the batch). Replayed row by
        // row, the batch fails the same way and names the culprit as it always did: the first
        // offending operation, in operation order.
        this.#lastVersion = firstVersion;
        records = db.transaction(() => this.#applyRowByRow(batch, change))();
      }
    }
    if (records.length > 0) for (const listener of this.#listeners) listener(records);
    return records;
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
    this.#listeners.add(listener);
    if (onClosed !== undefined) this.#closeListeners.add(onClosed);
    return () => {
      this.#listeners.delete(listener);
      if (onClosed !== undefined) this.#closeListeners.delete(onClosed);
    };
  }

  async listNamespaces(): Promise<Namespace[]> {
    const rows = this.#statement(
      "SELECT DISTINCT db, coll FROM documents ORDER BY db, coll",
    ).all() as Namespace[];
    return rows.map(({ db, coll }) => ({ db, coll }));
  }

  /** One process owns a SQLite file, so a wake-up reaches this instance's listeners only. */
  async notify(channel: string): Promise<void> {
    this.#open();
    const listeners = this.#wakeListeners.get(channel);
    if (listeners === undefined) return;
    // Delivered after the notifier resumes, as a database notification would be.
    setImmediate(() => {
      for (const listener of [...listeners]) listener();
    });
  }

  listen(channel: string, listener: () => void): () => void {
    const listeners = this.#wakeListeners.get(channel) ?? new Set<() => void>();
    this.#wakeListeners.set(channel, listeners);
    const own = (): void => listener();
    listeners.add(own);
    return () => listeners.delete(own);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#wakeListeners.clear();
    this.#db.close();
    const closers = [...this.#closeListeners];
    this.#closeListeners.clear();
    for (const closed of closers) closed();
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

/** What every change record of one commit shares: one clock reading, the batch's origin. */
interface ChangeContext {
  readonly time: Date;
  readonly origin: string | undefined;
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

function changeRecord(
  seq: number,
  op: WriteOp,
  change: ChangeContext,
  beforeText: string | null,
): ChangeRecord {
  const record: { -readonly [K in keyof ChangeRecord]: ChangeRecord[K] } = {
    seq,
    operationType: op.kind,
    clusterTime: change.time,
    ns: { db: op.ns.db, coll: op.ns.coll },
    documentKey: { _id: op.kind === "delete" ? op.id : op.doc._id },
  };
  if (op.kind !== "delete") record.fullDocument = op.doc;
  if (op.kind === "update") record.updateDescription = op.updateDescription;
  if (beforeText !== null) record.fullDocumentBeforeChange = decodeDocument(beforeText);
  if (change.origin !== undefined) record.origin = change.origin;
  return record;
}

function toStored(row: DocumentRow): StoredDocument {
  return { doc: decodeDocument(row.body), version: row.version };
}

function toChangeRecord(row: ChangeRow): ChangeRecord {
  const record: { -readonly [K in keyof ChangeRecord]: ChangeRecord[K] } = {
    seq: row.seq,
    operationType: row.op,
    clusterTime: new Date(row.time),
    ns: { db: row.db, coll: row.coll },
    documentKey: { _id: decodeDocument(row.document_key)._id },
  };
  if (row.full_document !== null) record.fullDocument = decodeDocument(row.full_document);
  if (row.update_description !== null) {
    record.updateDescription = decodeDocument(
      row.update_description,
    ) as ChangeRecord["updateDescription"];
  }
  if (row.before_document !== null)
    record.fullDocumentBeforeChange = decodeDocument(row.before_document);
  if (row.origin !== null) record.origin = row.origin;
  return record;
}

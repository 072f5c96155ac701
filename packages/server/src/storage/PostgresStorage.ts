/**
 * The shared engine: app documents and the change feed in one PostgreSQL database (in one
 * schema of it), for any number of server processes at once. Each commit is one transaction
 * on a pooled connection; a run of consecutive inserts is written with one statement.
 *
 * - **Versions** come from a sequence: unique across every process, never reused.
 * - **Conflicts**: updates and deletes name the version they read in their WHERE clause and
 *   lock the row; a concurrent writer that got there first changes the version, so the
 *   second finds no row and the batch rolls back with `Conflict` (as does a deadlock).
 * - **Seqs**: the part of a commit that assigns seqs (reading the largest seq, writing the
 *   batch's records) runs under a transaction-level advisory lock held until COMMIT. Commits
 *   that write change records are therefore ordered by that lock: a batch takes its seqs only
 *   after every batch with smaller seqs has committed and become visible, so a reader never
 *   finds a smaller seq appear behind one it has seen. Document writes happen before the
 *   lock and overlap freely; internal (`__atoll*`) writes never take it.
 * - **Commit listeners**: a dedicated connection LISTENs on the schema's commit channel; a
 *   commit notifies it (delivered at COMMIT). Each instance delivers batches in seq order,
 *   each once, through one queue: its own right after COMMIT (reading first whatever others
 *   committed before it), others' when woken, by reading the records after the last seq it
 *   delivered.
 * See `StorageEngine.ts` for the contract.
 */
import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import type { BoundQuery } from "@atoll/rql";
import { changeRecord, isInternalDatabase, toChangeRecord } from "./changeRecords.js";
import type { ChangeContext, ChangeRow } from "./changeRecords.js";
import { decodeDocument, encodeDocument, idDocumentText, idKey } from "./documentCodec.js";
import { LockKey, migratePostgres, quoteIdentifier } from "./postgresMigrations.js";
import { PostgresParameters, postgresPushdown } from "./postgresPushdown.js";
import { rqlCondition } from "./rqlPushdown.js";
import { DEFAULT_PAGE_SIZE } from "./SqliteStorage.js";
import { CommitListeners } from "./CommitListeners.js";
import { StorageError } from "./StorageError.js";
import type {
  ChangeRecord,
  CommitOptions,
  Namespace,
  ScanQuery,
  StorageEngine,
  StoredDocument,
  WriteOp,
} from "./StorageEngine.js";

export interface PostgresStorageOptions {
  /** `postgres://user:pass@host:port/db` (connection parameters as `pg` reads them). */
  readonly connectionString: string;
  /** The schema holding the store (created if missing); "atoll" unless given. */
  readonly schema?: string;
  /** Pooled connections (besides the one that listens); 10 unless given. */
  readonly poolSize?: number;
  /** The clock stamped on change records, read once per commit (tests inject one). */
  readonly now?: () => Date;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;
const CHANNEL_NAME = /^[A-Za-z0-9_.:-]{1,40}$/;
const COMMITS_CHANNEL = "commits";
/** Change records read per query when catching up. */
const CATCH_UP_PAGE = 1000;
/** How long the listening connection waits before reconnecting after it was lost. */
const RELISTEN_DELAY_MS = 500;

/** A change row with the first seq of its batch. */
interface BatchedChangeRow extends ChangeRow {
  readonly batch: number;
}

interface DocumentRow {
  readonly id: number;
  readonly body: string;
  readonly version: number;
}

/** int8 (oid 20) as a JavaScript number: seqs, versions and row ids stay far below 2^53. */
const INT8_OID = 20;
const TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary"): (value: string) => unknown {
    if (oid === INT8_OID) return Number;
    return pg.types.getTypeParser(oid, format ?? "text") as (value: string) => unknown;
  },
};

export class PostgresStorage implements StorageEngine {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #s: string;
  readonly #now: () => Date;
  readonly #connectionString: string;
  /** Tells this instance's own notifications from others'. */
  readonly #instance = randomUUID();
  readonly #schemaHash: string;
  readonly #listeners = new CommitListeners();
  readonly #channels = new Map<string, Set<() => void>>();
  #listener: pg.Client | undefined;
  /** LISTEN/UNLISTEN statements, run one after the other on the listening connection. */
  #listenQueue: Promise<void> = Promise.resolve();
  /** Deliveries to commit listeners, one after the other. */
  #deliveries: Promise<void> = Promise.resolve();
  #delivered = 0;
  #closed = false;

  private constructor(options: PostgresStorageOptions, schema: string) {
    this.#connectionString = options.connectionString;
    this.#schema = schema;
    this.#s = quoteIdentifier(schema);
    this.#schemaHash = createHash("sha256").update(schema).digest("hex").slice(0, 12);
    this.#now = options.now ?? (() => new Date());
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      types: TYPES,
    });
    // An idle pooled connection that breaks is replaced on next use; nothing to report.
    this.#pool.on("error", () => undefined);
  }

  static async open(options: PostgresStorageOptions): Promise<PostgresStorage> {
    const schema = options.schema ?? "atoll";
    if (!SCHEMA_NAME.test(schema))
      throw new StorageError("BadSpec", `"${schema}" is not a schema name this engine accepts`);
    const engine = new PostgresStorage(options, schema);
    try {
      const client = await engine.#pool.connect();
      try {
        await migratePostgres(client, schema);
      } finally {
        client.release();
      }
      engine.#delivered = await engine.lastSeq();
      await engine.#connectListener();
    } catch (error) {
      await engine.#shutDown();
      throw error;
    }
    return engine;
  }

  async get(ns: Namespace, id: unknown): Promise<StoredDocument | null> {
    const { rows } = await this.#query<DocumentRow>(
      `SELECT body, version FROM ${this.#s}.documents WHERE db = $1 AND coll = $2 AND id_key = $3`,
      [ns.db, ns.coll, idKey(id)],
    );
    const row = rows[0];
    return row === undefined ? null : toStored(row);
  }

  async scan(ns: Namespace, query: ScanQuery = {}): Promise<StoredDocument[]> {
    const out: StoredDocument[] = [];
    for await (const page of this.scanStream(ns, query, Number.MAX_SAFE_INTEGER)) out.push(...page);
    return out;
  }

  /** Pages by row id inside one REPEATABLE READ transaction: one snapshot for the whole scan. */
  async *scanStream(
    ns: Namespace,
    query: ScanQuery = {},
    pageSize = DEFAULT_PAGE_SIZE,
  ): AsyncGenerator<readonly StoredDocument[]> {
    const select = this.#selectDocuments(ns, query);
    const limit = (n: number): number => Math.min(n, 2 ** 31 - 1);
    // A namespace that fits in one page is read by one statement, outside any transaction.
    const { rows: first } = await this.#query<DocumentRow>(
      `${select.sql} ORDER BY d.id LIMIT $${select.params.length + 1}`,
      [...select.params, limit(pageSize + 1)],
    );
    if (first.length <= pageSize) {
      if (first.length > 0) yield first.map(toStored);
      return;
    }
    const client = await this.#connect();
    let failed = false;
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      let after = 0;
      for (;;) {
        const { rows } = await client.query<DocumentRow>(
          `${select.sql} AND d.id > $${select.params.length + 1} ORDER BY d.id LIMIT $${select.params.length + 2}`,
          [...select.params, after, limit(pageSize)],
        );
        const last = rows.at(-1);
        if (last === undefined) break;
        after = last.id;
        yield rows.map(toStored);
        if (rows.length < pageSize) break;
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // Also reached when the consumer stops early: end the read transaction either way.
      await client.query("ROLLBACK").catch(() => (failed = true));
      client.release(failed);
    }
  }

  async commit(
    batch: readonly WriteOp[],
    options: CommitOptions = {},
  ): Promise<readonly ChangeRecord[]> {
    const change: ChangeContext = { time: this.#now(), origin: options.origin };
    const client = await this.#connect();
    let records: ChangeRecord[];
    try {
      await client.query("BEGIN");
      try {
        const pending: PendingChange[] = [];
        await this.#applyBatch(client, batch, pending);
        records = pending.length === 0 ? [] : await this.#recordChanges(client, pending, change);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw translateError(error);
      }
    } finally {
      client.release();
    }
    if (records.length > 0) await this.#enqueueDelivery(records);
    return records;
  }

  async changesSince(afterSeq: number, limit = 1000): Promise<ChangeRecord[]> {
    const rows = await this.#changeRows(afterSeq, limit);
    return rows.map(toChangeRecord);
  }

  async lastSeq(): Promise<number> {
    const { rows } = await this.#query<{ seq: number | null }>(
      `SELECT max(seq) AS seq FROM ${this.#s}.changes`,
    );
    return rows[0]?.seq ?? 0;
  }

  onCommit(
    listener: (records: readonly ChangeRecord[]) => void,
    onClosed?: () => void,
  ): () => void {
    return this.#listeners.add(listener, onClosed);
  }

  async listNamespaces(): Promise<Namespace[]> {
    const { rows } = await this.#query<Namespace>(
      `SELECT DISTINCT db COLLATE "C" AS db, coll COLLATE "C" AS coll FROM ${this.#s}.documents ORDER BY 1, 2`,
    );
    return rows.map(({ db, coll }) => ({ db, coll }));
  }

  async notify(channel: string): Promise<void> {
    const name = this.#channelName(channel);
    // This instance's own LISTENs issued so far take effect first, so it hears itself.
    await this.#listenQueue;
    await this.#query("SELECT pg_notify($1, $2)", [name, ""]);
  }

  listen(channel: string, listener: () => void): () => void {
    const name = this.#channelName(channel);
    const entry = (): void => listener();
    let listeners = this.#channels.get(name);
    if (listeners === undefined) {
      listeners = new Set();
      this.#channels.set(name, listeners);
      this.#runOnListener(`LISTEN ${quoteIdentifier(name)}`);
    }
    listeners.add(entry);
    return () => {
      if (!listeners.delete(entry) || listeners.size > 0) return;
      this.#channels.delete(name);
      if (!this.#closed) this.#runOnListener(`UNLISTEN ${quoteIdentifier(name)}`);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#shutDown();
    this.#channels.clear();
    this.#listeners.close();
  }

  async #shutDown(): Promise<void> {
    this.#closed = true;
    await this.#deliveries;
    const listener = this.#listener;
    this.#listener = undefined;
    await Promise.all([listener?.end().catch(() => undefined), this.#pool.end()]);
  }

  // --- writing ---

  /**
   * Applies the batch's document writes, a run of operations of one kind (inserts; updates
   * and replaces; deletes) per statement; collects what its change records need, in
   * operation order.
   */
  async #applyBatch(
    client: pg.PoolClient,
    batch: readonly WriteOp[],
    pending: PendingChange[],
  ): Promise<void> {
    let from = 0;
    while (from < batch.length) {
      const first = batch[from] as WriteOp;
      const runKind = (op: WriteOp): string => (op.kind === "replace" ? "update" : op.kind);
      let to = from + 1;
      while (to < batch.length && runKind(batch[to] as WriteOp) === runKind(first)) to++;
      const run = batch.slice(from, to);
      if (first.kind === "insert") await this.#insertRun(client, run as InsertOp[], pending);
      else await this.#changeRun(client, run as Exclude<WriteOp, InsertOp>[], pending);
      from = to;
    }
  }

  async #insertRun(
    client: pg.PoolClient,
    inserts: readonly InsertOp[],
    pending: PendingChange[],
  ): Promise<void> {
    const keys = inserts.map((op) => idKey(op.doc._id));
    const bodies = inserts.map((op) => encodeDocument(op.doc));
    const { rows } = await client.query<{ db: string; coll: string; id_key: string }>(
      `INSERT INTO ${this.#s}.documents (db, coll, id_key, body, fields, version)
       SELECT u.db, u.coll, u.k, u.b, ${JSONB_OF("u.b")}, nextval('${this.#schemaLiteral()}.document_versions')
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(db, coll, k, b, ord)
       ORDER BY u.ord
       ON CONFLICT (db, coll, id_key) DO NOTHING
       RETURNING db, coll, id_key`,
      [inserts.map((op) => op.ns.db), inserts.map((op) => op.ns.coll), keys, bodies],
    );
    if (rows.length < inserts.length) {
      // The culprit is the first insert not written: its key was taken before the batch, or
      // by an earlier insert of the run.
      const written = new Map<string, number>();
      for (const row of rows) {
        const slot = slotOf(row.db, row.coll, row.id_key);
        written.set(slot, (written.get(slot) ?? 0) + 1);
      }
      inserts.forEach((op, i) => {
        const slot = slotOf(op.ns.db, op.ns.coll, keys[i] as string);
        const left = written.get(slot) ?? 0;
        if (left === 0)
          throw new StorageError(
            "DuplicateKey",
            `duplicate _id ${keys[i]} in ${op.ns.db}.${op.ns.coll}`,
            { details: { id: op.doc._id } },
          );
        written.set(slot, left - 1);
      });
    }
    inserts.forEach((op, i) => {
      if (!isInternalDatabase(op.ns.db))
        pending.push({ op, key: keys[i] as string, body: bodies[i] as string, before: null });
    });
  }

  /**
   * A run of updates and replaces, or of deletes, in one statement: each row is locked and
   * changed only if it still has the version its operation read; a row that has not (or that
   * the run names twice) leaves its operation out of what the statement returns, and the
   * batch fails on the first such operation. Rows are locked in id order, so two concurrent
   * runs over the same documents wait for each other rather than deadlock.
   */
  async #changeRun(
    client: pg.PoolClient,
    ops: readonly Exclude<WriteOp, InsertOp>[],
    pending: PendingChange[],
  ): Promise<void> {
    const keys = ops.map((op) => idKey(op.kind === "delete" ? op.id : op.doc._id));
    const bodies = ops.map((op) => (op.kind === "delete" ? null : encodeDocument(op.doc)));
    const deleting = ops[0]?.kind === "delete";
    const input = `SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
        WITH ORDINALITY AS u(db, coll, k, v, b, ord)`;
    const old = `SELECT d.id, d.body, i.ord, i.b FROM ${this.#s}.documents d
        JOIN input i ON d.db = i.db AND d.coll = i.coll AND d.id_key = i.k AND d.version = i.v
        ORDER BY d.id FOR UPDATE OF d`;
    const change = deleting
      ? `DELETE FROM ${this.#s}.documents d USING old WHERE d.id = old.id`
      : `UPDATE ${this.#s}.documents d
         SET body = old.b, fields = ${JSONB_OF("old.b")}, version = nextval('${this.#schemaLiteral()}.document_versions')
         FROM old WHERE d.id = old.id`;
    const { rows } = await client.query<{ ord: number; before: string }>(
      `WITH input AS (${input}), old AS (${old}) ${change} RETURNING old.ord, old.body AS before`,
      [
        ops.map((op) => op.ns.db),
        ops.map((op) => op.ns.coll),
        keys,
        ops.map((op) => op.expectedVersion),
        bodies,
      ],
    );
    const before = new Map(rows.map((row) => [row.ord, row.before]));
    ops.forEach((op, i) => {
      const text = before.get(i + 1);
      if (text === undefined)
        throw new StorageError(
          "Conflict",
          `document ${keys[i]} in ${op.ns.db}.${op.ns.coll} changed concurrently`,
        );
      if (!isInternalDatabase(op.ns.db))
        pending.push({ op, key: keys[i] as string, body: bodies[i] ?? null, before: text });
    });
  }

  /**
   * Writes the batch's change records under the seq lock (held until COMMIT), numbered after
   * the largest seq committed so far, and queues the wake-up that COMMIT sends.
   */
  async #recordChanges(
    client: pg.PoolClient,
    pending: readonly PendingChange[],
    change: ChangeContext,
  ): Promise<ChangeRecord[]> {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1), $2)", [
      this.#schema,
      LockKey.changes,
    ]);
    const column = <T>(pick: (p: PendingChange) => T): T[] => pending.map(pick);
    const { rows } = await client.query<{ first: number }>(
      `WITH base AS (SELECT coalesce(max(seq), 0) AS seq FROM ${this.#s}.changes),
       written AS (
         INSERT INTO ${this.#s}.changes (seq, batch, time, db, coll, op, document_key, full_document, update_description, before_document, origin)
         SELECT base.seq + u.ord, base.seq + 1, $1, u.db, u.coll, u.op, u.k, u.fd, u.upd, u.bd, $2
         FROM base, unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
           WITH ORDINALITY AS u(db, coll, op, k, fd, upd, bd, ord)
         RETURNING seq)
       SELECT (SELECT min(seq) FROM written) AS first, pg_notify($10, $11)`,
      [
        change.time.getTime(),
        change.origin ?? null,
        column((p) => p.op.ns.db),
        column((p) => p.op.ns.coll),
        column((p) => p.op.kind),
        column((p) => idDocumentText(p.key)),
        column((p) => p.body),
        column((p) =>
          p.op.kind === "update" ? encodeDocument({ ...p.op.updateDescription }) : null,
        ),
        column((p) => p.before),
        this.#channelName(COMMITS_CHANNEL),
        this.#instance,
      ],
    );
    const first = rows[0]?.first;
    if (first === undefined) throw new Error("a batch's change records were not written");
    return pending.map((p, i) => changeRecord(first + i, p.op, change, p.before));
  }

  // --- delivering to commit listeners ---

  /** Delivers what others committed before `own`, then `own`; resolves once delivered. */
  #enqueueDelivery(own?: readonly ChangeRecord[]): Promise<void> {
    const step = this.#deliveries.then(() => this.#deliver(own));
    this.#deliveries = step.catch(() => undefined);
    return step;
  }

  async #deliver(own: readonly ChangeRecord[] | undefined): Promise<void> {
    const first = own?.[0]?.seq;
    if (first !== undefined && first <= this.#delivered) return;
    // This engine numbers a batch right after the largest seq committed before it: when that
    // is the last one delivered, nothing committed in between.
    if (own !== undefined && first === this.#delivered + 1) {
      this.#hand(own);
      return;
    }
    for (;;) {
      if (this.#closed) return;
      const rows = await this.#changeRows(this.#delivered, CATCH_UP_PAGE, first);
      if (rows.length === 0) break;
      // A page may end inside a batch: read the rest of that batch before delivering it.
      const last = rows.at(-1) as BatchedChangeRow;
      if (rows.length === CATCH_UP_PAGE) rows.push(...(await this.#restOfBatch(last)));
      for (const batch of batchesOf(rows)) this.#hand(batch.map(toChangeRecord));
      if (rows.length < CATCH_UP_PAGE) break;
    }
    if (own !== undefined) this.#hand(own);
  }

  #hand(records: readonly ChangeRecord[]): void {
    const last = records.at(-1);
    if (last === undefined) return;
    this.#delivered = last.seq;
    this.#listeners.deliver(records);
  }

  async #changeRows(after: number, limit: number, before?: number): Promise<BatchedChangeRow[]> {
    const { rows } = await this.#query<BatchedChangeRow>(
      before === undefined
        ? `SELECT * FROM ${this.#s}.changes WHERE seq > $1 ORDER BY seq LIMIT $2`
        : `SELECT * FROM ${this.#s}.changes WHERE seq > $1 AND seq < $3 ORDER BY seq LIMIT $2`,
      before === undefined ? [after, limit] : [after, limit, before],
    );
    return rows;
  }

  async #restOfBatch(last: BatchedChangeRow): Promise<BatchedChangeRow[]> {
    const { rows } = await this.#query<BatchedChangeRow>(
      `SELECT * FROM ${this.#s}.changes WHERE batch = $1 AND seq > $2 ORDER BY seq`,
      [last.batch, last.seq],
    );
    return rows;
  }

  // --- the listening connection ---

  async #connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#connectionString, types: TYPES });
    client.on("error", () => undefined);
    client.on("notification", (message) => this.#notified(message.channel, message.payload));
    client.on("end", () => {
      if (this.#listener === client && !this.#closed) this.#relisten();
    });
    await client.connect();
    const channels = [this.#channelName(COMMITS_CHANNEL), ...this.#channels.keys()];
    for (const name of channels) await client.query(`LISTEN ${quoteIdentifier(name)}`);
    this.#listener = client;
  }

  /**
   * The listening connection was lost: reconnect, then catch up on commits and wake every
   * listener once, since wake-ups sent meanwhile were missed.
   */
  #relisten(): void {
    this.#listener = undefined;
    const retry = setTimeout(() => {
      if (this.#closed) return;
      this.#connectListener().then(
        () => {
          void this.#enqueueDelivery();
          for (const listeners of this.#channels.values())
            for (const listener of [...listeners]) listener();
        },
        () => this.#relisten(),
      );
    }, RELISTEN_DELAY_MS);
    retry.unref();
  }

  #notified(channel: string, payload: string | undefined): void {
    if (this.#closed) return;
    if (channel === this.#channelName(COMMITS_CHANNEL)) {
      if (payload !== this.#instance) void this.#enqueueDelivery();
      return;
    }
    for (const listener of [...(this.#channels.get(channel) ?? [])]) listener();
  }

  #runOnListener(sql: string): void {
    this.#listenQueue = this.#listenQueue.then(async () => {
      await this.#listener?.query(sql).catch(() => undefined);
    });
  }

  /**
   * The PostgreSQL channel of `channel` in this store. Channels are per database, so the name
   * carries the schema, as a short hash: a PostgreSQL channel name has at most 63 bytes. Two
   * schemas sharing a hash would only wake each other's listeners for nothing.
   */
  #channelName(channel: string): string {
    if (!CHANNEL_NAME.test(channel))
      throw new StorageError("BadSpec", `"${channel}" is not a channel name this engine accepts`);
    return `atoll_${this.#schemaHash}.${channel}`;
  }

  // --- helpers ---

  #selectDocuments(
    ns: Namespace,
    query: ScanQuery,
  ): { readonly sql: string; readonly params: readonly unknown[] } {
    const rql = rqlHint(query.rql);
    const parameters = new PostgresParameters(rql?.params ?? []);
    const conditions = [`d.db = ${parameters.add(ns.db)}`, `d.coll = ${parameters.add(ns.coll)}`];
    if (rql !== null) conditions.push(`(d.fields IS NULL OR ${rql.where})`);
    if (query.ids !== undefined) {
      const keys = [...new Set(query.ids.map(idKey))];
      conditions.push(`d.id_key = ANY(${parameters.add(keys, "text[]")})`);
    }
    const pushed = postgresPushdown(query.filter, "d.fields", parameters);
    if (pushed !== null) conditions.push(`(d.fields IS NULL OR (${pushed}))`);
    return {
      sql: `SELECT d.id, d.body, d.version FROM ${this.#s}.documents d WHERE ${conditions.join(" AND ")}`,
      params: parameters.values,
    };
  }

  async #query<R extends pg.QueryResultRow>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    this.#open();
    return this.#pool.query<R>(sql, [...params]);
  }

  async #connect(): Promise<pg.PoolClient> {
    this.#open();
    return this.#pool.connect();
  }

  #open(): void {
    if (this.#closed) throw new StorageError("Closed", "the storage engine is closed");
  }

  /** The schema as a string literal's content inside `nextval('…')` (identifier quoted). */
  #schemaLiteral(): string {
    return this.#s.replaceAll("'", "''");
  }
}

/** jsonb of an encoded document, or NULL when jsonb cannot hold it (it has no NUL character). */
function JSONB_OF(text: string): string {
  return `CASE WHEN strpos(${text}, '\\u0000') = 0 THEN ${text}::jsonb END`;
}

function rqlHint(
  queries: readonly BoundQuery[] | undefined,
): { readonly where: string; readonly params: readonly unknown[] } | null {
  return rqlCondition(queries, { dialect: "postgres", documentColumn: "d.fields" });
}

type InsertOp = Extract<WriteOp, { kind: "insert" }>;

/** A written operation whose change record is still to be numbered. */
interface PendingChange {
  readonly op: WriteOp;
  readonly key: string;
  readonly body: string | null;
  readonly before: string | null;
}

function slotOf(db: string, coll: string, key: string): string {
  return JSON.stringify([db, coll, key]);
}

/** Deadlocks and serialisation failures between concurrent commits are conflicts. */
function translateError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === "40P01" || code === "40001")
    return new StorageError("Conflict", "a concurrent commit touched the same documents", {
      cause: error,
    });
  return error;
}

function* batchesOf(rows: readonly BatchedChangeRow[]): Generator<BatchedChangeRow[]> {
  let current: BatchedChangeRow[] = [];
  for (const row of rows) {
    if (current.length > 0 && (current[0] as BatchedChangeRow).batch !== row.batch) {
      yield current;
      current = [];
    }
    current.push(row);
  }
  if (current.length > 0) yield current;
}

function toStored(row: { readonly body: string; readonly version: number }): StoredDocument {
  return { doc: decodeDocument(row.body), version: row.version };
}

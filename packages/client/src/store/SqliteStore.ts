/**
 * LocalStore on better-sqlite3: one file per realm (or ":memory:").
 *
 * Durability: WAL with synchronous=NORMAL. A commit is in the WAL when `commit` returns, so it
 * survives a kill -9 of the process; only an operating-system crash or power loss can drop the
 * last commits (never corrupt the file), the same trade most embedded stores make for fast
 * single-object transactions.
 */
import Database from "better-sqlite3";
import { ClientErrorCode, RealmError } from "../errors.js";
import type {
  CommitBatch,
  LocalStore,
  PendingChangeset,
  StoredObject,
  StoredSchemaState,
} from "./LocalStore.js";

/** History: 1 — objects (properties as BSON or JSON text), meta and upload_log tables. */
export const STORE_FORMAT_VERSION = 1;

const CREATE_TABLES = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS objects (
    key INTEGER PRIMARY KEY, class TEXT NOT NULL, owner INTEGER NOT NULL, data BLOB NOT NULL);
  CREATE TABLE IF NOT EXISTS upload_log (
    version INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL, changeset BLOB NOT NULL);
`;

function unsupported(path: string, reason: string, cause?: unknown): RealmError {
  return new RealmError(
    ClientErrorCode.UnsupportedFileFormat,
    `Cannot open realm file '${path}': ${reason}`,
    {
      details: { path },
      cause,
    },
  );
}

export class SqliteStore implements LocalStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly commitBatch: (batch: CommitBatch) => void;

  constructor(
    private readonly path: string,
    options: { readOnly?: boolean } = {},
  ) {
    const file = path === ":memory:" ? ":memory:" : path;
    try {
      this.db = new Database(file, {
        timeout: 1000,
        readonly: options.readOnly === true,
        fileMustExist: options.readOnly === true,
      });
      if (file !== ":memory:" && options.readOnly !== true) {
        // The live state is in this process's memory, so a second writer would work on a stale
        // copy: the connection keeps an exclusive lock on the file from its first read on.
        this.db.pragma("locking_mode = EXCLUSIVE");
        this.db.pragma("journal_mode = WAL");
      }
      this.db.pragma("synchronous = NORMAL");
      this.checkFormat(options.readOnly === true);
    } catch (error) {
      if (error instanceof RealmError) throw error;
      if ((error as { code?: unknown }).code === "SQLITE_BUSY") {
        throw new RealmError(
          ClientErrorCode.RealmFileInUse,
          `Cannot open realm file '${path}': another process has it open`,
          { details: { path }, cause: error },
        );
      }
      throw unsupported(path, (error as Error).message, error);
    }
    this.statements = {
      upsert: this.db.prepare(
        "INSERT OR REPLACE INTO objects (key, class, owner, data) VALUES (?, ?, ?, ?)",
      ),
      remove: this.db.prepare("DELETE FROM objects WHERE key = ?"),
      setMeta: this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"),
      append: this.db.prepare("INSERT INTO upload_log (created_at, changeset) VALUES (?, ?)"),
    };
    const { upsert, remove, setMeta, append } = this.statements;
    this.commitBatch = this.db.transaction((batch: CommitBatch) => {
      for (const key of batch.deletes) remove.run(key);
      for (const object of batch.upserts)
        upsert.run(object.key, object.className, object.owner, object.data);
      if (batch.schemaState) setMeta.run("schema", JSON.stringify(batch.schemaState));
      if (batch.changeset) append.run(Date.now(), batch.changeset);
    });
  }

  private checkFormat(readOnly: boolean): void {
    const hasMeta = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
      .get();
    if (!hasMeta) {
      const tables = this.db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as {
        n: number;
      };
      if (tables.n > 0) throw unsupported(this.path, "it is not a realm file");
      if (readOnly) throw unsupported(this.path, "the file is empty and the realm is read-only");
      this.db.exec(CREATE_TABLES);
      this.db
        .prepare("INSERT INTO meta (key, value) VALUES ('format_version', ?)")
        .run(String(STORE_FORMAT_VERSION));
      return;
    }
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'format_version'").get() as
      { value: string } | undefined;
    const version = Number(row?.value);
    if (version !== STORE_FORMAT_VERSION) {
      throw unsupported(
        this.path,
        `its format version is ${row?.value ?? "missing"}, and this version of Atoll reads format ${STORE_FORMAT_VERSION}`,
      );
    }
  }

  readSchemaState(): StoredSchemaState | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as StoredSchemaState) : undefined;
  }

  loadObjects(): Iterable<StoredObject> {
    const rows = this.db
      .prepare("SELECT key, class, owner, data FROM objects ORDER BY key")
      .raw()
      .all() as [number, string, number, Uint8Array | string][];
    return rows.map((row) => ({ key: row[0], className: row[1], owner: row[2], data: row[3] }));
  }

  commit(batch: CommitBatch): void {
    this.commitBatch(batch);
  }

  readUploadLog(afterVersion = 0): PendingChangeset[] {
    const rows = this.db
      .prepare(
        "SELECT version, created_at, changeset FROM upload_log WHERE version > ? ORDER BY version",
      )
      .all(afterVersion) as { version: number; created_at: number; changeset: Uint8Array }[];
    return rows.map((r) => ({
      version: r.version,
      createdAt: r.created_at,
      changeset: r.changeset,
    }));
  }

  trimUploadLog(version: number): void {
    this.db.prepare("DELETE FROM upload_log WHERE version <= ?").run(version);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

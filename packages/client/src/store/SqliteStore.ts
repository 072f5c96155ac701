/**
 * LocalStore on better-sqlite3-multiple-ciphers (better-sqlite3 with SQLite3MultipleCiphers):
 * one file per realm (or ":memory:"). With an encryption key every page of the file and of its
 * WAL is encrypted (ChaCha20-Poly1305, the key stretched by the library's key derivation), and
 * a page that does not authenticate under the key is refused, never read.
 *
 * Durability: WAL with synchronous=NORMAL. A commit is in the WAL when `commit` returns, so it
 * survives a kill -9 of the process; only an operating-system crash or power loss can drop the
 * last commits (never corrupt the file), the same trade most embedded stores make for fast
 * single-object transactions.
 */
import Database from "better-sqlite3-multiple-ciphers";
import { ClientErrorCode, RealmError } from "../errors.js";
import type {
  CommitBatch,
  LocalStore,
  PendingChangeset,
  StoredObject,
  StoredSchemaState,
} from "./LocalStore.js";

/**
 * History: 1 — objects (properties as BSON or JSON text), meta and upload_log tables.
 * 2 — upload_log.undo (what undoes each pending changeset, for the sync rebase) and the sync
 * metadata under meta key 'sync'.
 * 3 — upload_log.base_server_version (the download cursor each pending changeset was based on);
 * an upgraded file gives its pending changesets the cursor it had then.
 * Older files are upgraded in place when opened writable, and read as they are when opened
 * read-only.
 */
export const STORE_FORMAT_VERSION = 3;

const CREATE_TABLES = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS objects (
    key INTEGER PRIMARY KEY, class TEXT NOT NULL, owner INTEGER NOT NULL, data BLOB NOT NULL);
  CREATE TABLE IF NOT EXISTS upload_log (
    version INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL, changeset BLOB NOT NULL,
    undo BLOB, base_server_version INTEGER NOT NULL DEFAULT 0);
`;

/** Upgrades a file of the given format, one step at a time, to STORE_FORMAT_VERSION. */
const UPGRADES: Readonly<Record<number, string>> = {
  1: "ALTER TABLE upload_log ADD COLUMN undo BLOB;",
  2: `ALTER TABLE upload_log ADD COLUMN base_server_version INTEGER NOT NULL DEFAULT 0;
      UPDATE upload_log SET base_server_version = coalesce(
        (SELECT json_extract(value, '$.download.serverVersion') FROM meta WHERE key = 'sync'), 0);`,
};

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

/**
 * The cipher is named rather than left to the library's default, so files stay readable if a
 * later version of the library defaults to another one.
 */
const CIPHER = "chacha20";

export interface SqliteStoreOptions {
  readonly readOnly?: boolean;
  /** The checked 64-byte key (see encryptionKey.ts); the file is encrypted with it. */
  readonly encryptionKey?: Buffer | undefined;
}

/**
 * SQLite's "not a database": the first page did not decode. With a key, the key does not open
 * the file (another key, or a file written without one). Without one, the file is encrypted or
 * is not a database at all; an encrypted file starts with random bytes, so the two look alike.
 */
function unreadable(path: string, keyGiven: boolean, cause: unknown): RealmError {
  if (!keyGiven) {
    return unsupported(
      path,
      "it is not a realm file, or it is encrypted and no encryption key was given",
      cause,
    );
  }
  return new RealmError(
    ClientErrorCode.DecryptionFailed,
    `Realm file decryption failed: the encryption key given does not open '${path}' (it was written with another key, or without one)`,
    { details: { path }, cause },
  );
}

function sameKey(a: Buffer | null, b: Buffer | undefined): boolean {
  return a === null ? b === undefined : b !== undefined && a.equals(b);
}

export class SqliteStore implements LocalStore {
  private readonly db: Database.Database;
  /** The file's key (undefined when it is not encrypted). */
  private readonly key: Buffer | undefined;
  private preparedCommit: ((batch: CommitBatch) => number | undefined) | undefined;
  private format = STORE_FORMAT_VERSION;
  /** Read on every sync download and upload: prepared once (after any format upgrade). */
  private selectUploads: Database.Statement | undefined;
  private selectUndo: Database.Statement | undefined;

  constructor(
    private readonly path: string,
    options: SqliteStoreOptions = {},
  ) {
    const file = path === ":memory:" ? ":memory:" : path;
    // An in-memory store never touches the disk: there is nothing to encrypt.
    const key = file === ":memory:" ? undefined : options.encryptionKey;
    this.key = key;
    let db: Database.Database | undefined;
    try {
      db = new Database(file, {
        timeout: 1000,
        readonly: options.readOnly === true,
        fileMustExist: options.readOnly === true,
      });
      this.db = db;
      if (key) {
        db.pragma(`cipher = '${CIPHER}'`);
        db.key(key);
      }
      if (file !== ":memory:" && options.readOnly !== true) {
        // The live state is in this process's memory, so a second writer would work on a stale
        // copy: the connection keeps an exclusive lock on the file from its first read on.
        this.db.pragma("locking_mode = EXCLUSIVE");
        this.db.pragma("journal_mode = WAL");
      }
      this.db.pragma("synchronous = NORMAL");
      this.checkFormat(options.readOnly === true);
    } catch (error) {
      if (db?.open) db.close();
      if (error instanceof RealmError) throw error;
      const code = (error as { code?: unknown }).code;
      if (code === "SQLITE_NOTADB") throw unreadable(path, key !== undefined, error);
      if (code === "SQLITE_BUSY") {
        throw new RealmError(
          ClientErrorCode.RealmFileInUse,
          `Cannot open realm file '${path}': another process has it open`,
          { details: { path }, cause: error },
        );
      }
      throw unsupported(path, (error as Error).message, error);
    }
  }

  /** Prepared on first use: a read-only older file cannot prepare statements naming new columns. */
  private get commitBatch(): (batch: CommitBatch) => number | undefined {
    return (this.preparedCommit ??= this.prepareCommit());
  }

  private prepareCommit(): (batch: CommitBatch) => number | undefined {
    const upsert = this.db.prepare(
      "INSERT OR REPLACE INTO objects (key, class, owner, data) VALUES (?, ?, ?, ?)",
    );
    const remove = this.db.prepare("DELETE FROM objects WHERE key = ?");
    const setMeta = this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    const append = this.db.prepare(
      "INSERT INTO upload_log (created_at, changeset, undo, base_server_version) VALUES (?, ?, ?, ?)",
    );
    const setUndo = this.db.prepare("UPDATE upload_log SET undo = ? WHERE version = ?");
    const trim = this.db.prepare("DELETE FROM upload_log WHERE version <= ?");
    const rebase = this.db.prepare("UPDATE upload_log SET base_server_version = ?");
    return this.db.transaction((batch: CommitBatch) => {
      for (const key of batch.deletes) remove.run(key);
      for (const object of batch.upserts)
        upsert.run(object.key, object.className, object.owner, object.data);
      if (batch.schemaState) setMeta.run("schema", JSON.stringify(batch.schemaState));
      if (batch.syncMetadata !== undefined) setMeta.run("sync", batch.syncMetadata);
      if (batch.trimUploadLogThrough !== undefined) trim.run(batch.trimUploadLogThrough);
      for (const { version, undo } of batch.undoUpdates ?? []) setUndo.run(undo, version);
      if (batch.rebaseUploadLogOn !== undefined) rebase.run(batch.rebaseUploadLogOn);
      if (!batch.changeset) return undefined;
      const result = append.run(
        Date.now(),
        batch.changeset,
        batch.changesetUndo ?? null,
        batch.changesetBaseServerVersion ?? 0,
      );
      return Number(result.lastInsertRowid);
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
    if (Number.isInteger(version) && version >= 1 && version < STORE_FORMAT_VERSION) {
      this.format = version;
      if (!readOnly) this.upgrade(version);
      return;
    }
    if (version !== STORE_FORMAT_VERSION) {
      throw unsupported(
        this.path,
        `its format version is ${row?.value ?? "missing"}, and this version of Atoll reads format ${STORE_FORMAT_VERSION}`,
      );
    }
  }

  private upgrade(from: number): void {
    this.db.transaction(() => {
      for (let version = from; version < STORE_FORMAT_VERSION; version++) {
        this.db.exec(UPGRADES[version] as string);
      }
      this.db
        .prepare("UPDATE meta SET value = ? WHERE key = 'format_version'")
        .run(String(STORE_FORMAT_VERSION));
    })();
    this.format = STORE_FORMAT_VERSION;
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

  commit(batch: CommitBatch): number | undefined {
    return this.commitBatch(batch);
  }

  readUndoLog(afterVersion = 0): Map<number, Uint8Array> {
    const undo = new Map<number, Uint8Array>();
    if (this.format < 2) return undo;
    this.selectUndo ??= this.db
      .prepare("SELECT version, undo FROM upload_log WHERE version > ? AND undo IS NOT NULL")
      .raw();
    const rows = this.selectUndo.all(afterVersion) as [number, Uint8Array][];
    for (const [version, data] of rows) undo.set(version, data);
    return undo;
  }

  lastUploadVersion(): number {
    const row = this.db
      .prepare("SELECT seq FROM sqlite_sequence WHERE name = 'upload_log'")
      .get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  readSyncMetadata(): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'sync'").get() as
      { value: string } | undefined;
    return row?.value;
  }

  readUploadLog(afterVersion = 0): PendingChangeset[] {
    // A read-only file of an older format has no base column; it never syncs, so 0 serves.
    const base = this.format < 3 ? "0" : "base_server_version";
    this.selectUploads ??= this.db.prepare(
      `SELECT version, created_at, changeset, ${base} AS base FROM upload_log WHERE version > ? ORDER BY version`,
    );
    const rows = this.selectUploads.all(afterVersion) as {
      version: number;
      created_at: number;
      changeset: Uint8Array;
      base: number;
    }[];
    return rows.map((r) => ({
      version: r.version,
      createdAt: r.created_at,
      changeset: r.changeset,
      baseServerVersion: r.base,
    }));
  }

  trimUploadLog(version: number): void {
    this.db.prepare("DELETE FROM upload_log WHERE version <= ?").run(version);
  }

  copyTo(path: string, encryptionKey?: Buffer | null): void {
    this.db.prepare("VACUUM INTO ?").run(path);
    if (encryptionKey === undefined || sameKey(encryptionKey, this.key)) return;
    // The copy is written with this store's key (or none) and in rollback-journal mode, where
    // SQLite3MultipleCiphers can re-encrypt a file in place.
    const copy = new Database(path, { fileMustExist: true });
    try {
      copy.pragma(`cipher = '${CIPHER}'`);
      if (this.key) copy.key(this.key);
      copy.rekey(encryptionKey ?? Buffer.alloc(0));
    } finally {
      copy.close();
    }
  }

  sizes(): { totalBytes: number; usedBytes: number } {
    const pageSize = this.db.pragma("page_size", { simple: true }) as number;
    const pages = this.db.pragma("page_count", { simple: true }) as number;
    const free = this.db.pragma("freelist_count", { simple: true }) as number;
    return { totalBytes: pages * pageSize, usedBytes: (pages - free) * pageSize };
  }

  compact(): void {
    this.db.exec("VACUUM");
    // The rewritten pages are in the WAL until a checkpoint moves them into the (smaller) file.
    if (this.path !== ":memory:") this.db.pragma("wal_checkpoint(TRUNCATE)");
  }

  clearSyncState(): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM meta WHERE key = 'sync'").run();
      this.db.prepare("DELETE FROM upload_log").run();
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

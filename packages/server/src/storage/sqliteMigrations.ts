/**
 * The SQLite store's schema, as an ordered list of migrations. `atoll_meta.schema_version`
 * records how many have run; opening a store runs the missing ones in one transaction and
 * refuses a store written by a newer server. Append new migrations; never edit old ones.
 */
import type Database from "better-sqlite3";
import { StorageError } from "./StorageError.js";

const MIGRATIONS: readonly string[] = [
  // 1: documents keyed per namespace by the EJSON text of their _id; rowid keeps insertion
  // order. The change feed lives in the same file so a write and its record commit together.
  `CREATE TABLE documents (
     rowid INTEGER PRIMARY KEY,
     db TEXT NOT NULL,
     coll TEXT NOT NULL,
     id_key TEXT NOT NULL,
     body TEXT NOT NULL,
     version INTEGER NOT NULL
   );
   CREATE UNIQUE INDEX documents_by_id ON documents (db, coll, id_key);
   CREATE TABLE changes (
     seq INTEGER PRIMARY KEY,
     time INTEGER NOT NULL,
     db TEXT NOT NULL,
     coll TEXT NOT NULL,
     op TEXT NOT NULL,
     document_key TEXT NOT NULL,
     full_document TEXT,
     update_description TEXT,
     before_document TEXT
   );`,
  // 2: who committed a change (e.g. "sync"), so sync can tell its own writes from the others.
  `ALTER TABLE changes ADD COLUMN origin TEXT;`,
  // 3: the last document version handed out, so instances on one file share one counter and
  // a version is never reused (not even the version of a document since deleted).
  `INSERT INTO atoll_meta (key, value)
     SELECT 'last_version', CAST(COALESCE(MAX(version), 0) AS TEXT) FROM documents;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS atoll_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  const row = db.prepare("SELECT value FROM atoll_meta WHERE key = 'schema_version'").get() as
    { value: string } | undefined;
  const current = row === undefined ? 0 : Number(row.value);
  if (!Number.isInteger(current) || current > SCHEMA_VERSION) {
    throw new StorageError(
      "Corrupt",
      `the store has schema version ${row?.value}, this server understands up to ${SCHEMA_VERSION}`,
    );
  }
  if (current === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (const sql of MIGRATIONS.slice(current)) db.exec(sql);
    db.prepare("INSERT OR REPLACE INTO atoll_meta (key, value) VALUES ('schema_version', ?)").run(
      String(SCHEMA_VERSION),
    );
  })();
}

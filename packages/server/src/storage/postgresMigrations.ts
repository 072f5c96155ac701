/**
 * The PostgreSQL store's schema, as an ordered list of migrations run inside the store's own
 * schema. `atoll_meta.schema_version` records how many have run; opening a store runs the
 * missing ones in one transaction that first takes a transaction-level advisory lock, so
 * nodes starting at once migrate one after the other (the later ones find nothing to do), and
 * refuses a store written by a newer server. Append new migrations; never edit old ones.
 */
import type pg from "pg";
import { StorageError } from "./StorageError.js";

/** Second key of the advisory locks the engine takes (the first is the schema's hash). */
export const LockKey = { migrate: 1, changes: 2 } as const;

const MIGRATIONS: readonly ((schema: string) => string)[] = [
  // 1: documents keyed per namespace by the EJSON text of their _id; `id` keeps insertion
  // order. `body` is the exact encoding (key order kept, read back as written); `fields` is
  // the same as jsonb for pushdown, absent when jsonb cannot hold it (a NUL character). The
  // change feed lives in the same database so a write and its record commit together; `batch`
  // is the first seq of the batch a record belongs to.
  (s) => `
    CREATE SEQUENCE ${s}.document_versions;
    CREATE TABLE ${s}.documents (
      id bigserial PRIMARY KEY,
      db text NOT NULL,
      coll text NOT NULL,
      id_key text NOT NULL,
      body text NOT NULL,
      fields jsonb,
      version bigint NOT NULL
    );
    CREATE UNIQUE INDEX documents_by_key ON ${s}.documents (db, coll, id_key);
    CREATE INDEX documents_in_order ON ${s}.documents (db, coll, id);
    CREATE TABLE ${s}.changes (
      seq bigint PRIMARY KEY,
      batch bigint NOT NULL,
      time bigint NOT NULL,
      db text NOT NULL,
      coll text NOT NULL,
      op text NOT NULL,
      document_key text NOT NULL,
      full_document text,
      update_description text,
      before_document text,
      origin text
    );`,
];

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** Brings `schema` (created if missing) up to this server's version. */
export async function migratePostgres(client: pg.ClientBase, schema: string): Promise<void> {
  const s = quoteIdentifier(schema);
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1), $2)", [schema, LockKey.migrate]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.atoll_meta (key text PRIMARY KEY, value text NOT NULL)`,
    );
    const { rows } = await client.query<{ value: string }>(
      `SELECT value FROM ${s}.atoll_meta WHERE key = 'schema_version'`,
    );
    const stored = rows[0]?.value;
    const current = stored === undefined ? 0 : Number(stored);
    if (!Number.isInteger(current) || current > POSTGRES_SCHEMA_VERSION) {
      throw new StorageError(
        "Corrupt",
        `the store has schema version ${stored}, this server understands up to ${POSTGRES_SCHEMA_VERSION}`,
      );
    }
    for (const migration of MIGRATIONS.slice(current)) await client.query(migration(s));
    await client.query(
      `INSERT INTO ${s}.atoll_meta (key, value) VALUES ('schema_version', $1)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [String(POSTGRES_SCHEMA_VERSION)],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

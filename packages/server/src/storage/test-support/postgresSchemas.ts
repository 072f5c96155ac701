/**
 * PostgreSQL stores for tests: each in a schema of its own (unique per test file run), dropped
 * afterwards, so parallel test files and other users of the database never collide. Needs
 * ATOLL_PG_URL; without it a test fails rather than skips.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export function postgresUrl(): string {
  const url = process.env.ATOLL_PG_URL;
  if (url === undefined || url === "")
    throw new Error("ATOLL_PG_URL is not set: run with bash scripts/with-postgres.sh");
  return url;
}

/** Hands out schema names and drops every schema it handed out. */
export class PostgresSchemas {
  readonly #prefix = `t_${randomBytes(5).toString("hex")}`;
  readonly #names = new Set<string>();
  #count = 0;

  /** A schema name, the same for the same key. */
  name(key?: string): string {
    const name = `${this.#prefix}_${key === undefined ? `s${this.#count++}` : key.replace(/[^a-z0-9]/gi, "").slice(-12)}`;
    this.#names.add(name);
    return name;
  }

  /** A storage spec for the schema of `key`. */
  spec(key?: string): string {
    const url = new URL(postgresUrl());
    url.searchParams.set("schema", this.name(key));
    return url.toString();
  }

  async dropAll(): Promise<void> {
    if (this.#names.size === 0) return;
    const client = new pg.Client({ connectionString: postgresUrl() });
    await client.connect();
    try {
      for (const name of this.#names) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    } finally {
      await client.end();
    }
  }
}

/**
 * The store a test server uses: the SQLite file it names, or, when ATOLL_E2E_STORAGE is
 * "postgres", a PostgreSQL schema of its own (dropped by `drop`), so the same end-to-end
 * tests run the server on either engine.
 */
export function testServerStorage(sqliteFile: string): {
  readonly spec: string;
  drop(): Promise<void>;
} {
  if (process.env.ATOLL_E2E_STORAGE !== "postgres")
    return { spec: `sqlite:${sqliteFile}`, drop: async () => undefined };
  const schemas = new PostgresSchemas();
  return { spec: schemas.spec("server"), drop: () => schemas.dropAll() };
}

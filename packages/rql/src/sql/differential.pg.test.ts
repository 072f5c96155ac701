import pg from "pg";
import { afterAll, beforeAll, describe, it } from "vitest";
import { checkCase, checkDifferentialProperty } from "../test-support/differential.js";
import type { DifferentialEngine } from "../test-support/differential.js";
import { differentialRegressions } from "../test-support/differentialRegressions.js";

/**
 * The same property on PostgreSQL (documents in a jsonb column). Needs ATOLL_PG_URL; without it
 * the test fails rather than skips (run it through scripts/with-postgres.sh).
 */
describe("evaluate and compileToSql agree on PostgreSQL", () => {
  let client: pg.Client | undefined;
  let engine: DifferentialEngine | undefined;
  /** Each test fails on its own (rather than being reported as skipped) when there is no server. */
  const ready = (): DifferentialEngine => {
    if (engine === undefined)
      throw new Error("ATOLL_PG_URL is not set: run with bash scripts/with-postgres.sh");
    return engine;
  };

  beforeAll(async () => {
    const url = process.env.ATOLL_PG_URL;
    if (url === undefined || url === "") return;
    const connected = new pg.Client({ connectionString: url });
    await connected.connect();
    client = connected;
    // A temporary table is private to this session, so parallel test files cannot collide.
    await connected.query(
      "CREATE TEMPORARY TABLE rql_docs (id integer PRIMARY KEY, doc jsonb NOT NULL)",
    );
    engine = {
      dialect: "postgres",
      async replaceDocuments(documents) {
        await connected.query("TRUNCATE rql_docs");
        if (documents.length === 0) return;
        await connected.query(
          "INSERT INTO rql_docs (id, doc) SELECT ord - 1, d::jsonb FROM unnest($1::text[]) WITH ORDINALITY AS t(d, ord)",
          [documents],
        );
      },
      async matchingIds(where, params) {
        const result = await connected.query<{ id: number }>(
          `SELECT id FROM rql_docs WHERE ${where} ORDER BY id`,
          [...params],
        );
        return result.rows.map((row) => row.id);
      },
    };
  });

  afterAll(async () => {
    await client?.end();
  });

  for (const regression of differentialRegressions) {
    it(`regression: ${regression.name}`, () => checkCase(ready(), regression));
  }

  it("on generated documents and queries", () => checkDifferentialProperty(ready(), 300), 120_000);
});

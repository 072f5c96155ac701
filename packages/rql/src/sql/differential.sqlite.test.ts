import Database from "better-sqlite3";
import { afterAll, describe, it } from "vitest";
import { checkCase, checkDifferentialProperty } from "../test-support/differential.js";
import type { DifferentialEngine } from "../test-support/differential.js";
import { differentialRegressions } from "../test-support/differentialRegressions.js";

/** SQLite (better-sqlite3, in memory), documents in a TEXT column read with the JSON1 functions. */
function sqliteEngine(): DifferentialEngine & { close(): void } {
  const db = new Database(":memory:");
  db.exec("CREATE TABLE docs (id INTEGER PRIMARY KEY, doc TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO docs (id, doc) VALUES (?, ?)");
  const replace = db.transaction((documents: readonly string[]) => {
    db.exec("DELETE FROM docs");
    documents.forEach((doc, id) => insert.run(id, doc));
  });
  return {
    dialect: "sqlite",
    replaceDocuments: async (documents) => replace(documents),
    matchingIds: async (where, params) =>
      (
        db.prepare(`SELECT id FROM docs WHERE ${where} ORDER BY id`).all(...params) as {
          id: number;
        }[]
      ).map((row) => row.id),
    close: () => db.close(),
  };
}

describe("evaluate and compileToSql agree on SQLite", () => {
  const engine = sqliteEngine();
  afterAll(() => engine.close());

  for (const regression of differentialRegressions) {
    it(`regression: ${regression.name}`, () => checkCase(engine, regression));
  }

  it("on generated documents and queries", () => checkDifferentialProperty(engine, 1000), 120_000);
});

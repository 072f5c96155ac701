import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { bindQuery } from "../bind/binder.js";
import { encodeDocument } from "../documentEncoding.js";
import { RqlUnsupportedError } from "../errors.js";
import { itemSchema } from "../test-support/differential.js";
import { schema as peopleSchema } from "../test-support/people.js";
import { compileToSql } from "./compiler.js";

const item = (query: string, args: unknown[] = []) => bindQuery(query, itemSchema, "Item", args);

describe("compileToSql", () => {
  it("writes a guarded, parameterised condition per dialect, with a branch per stored form of numbers", () => {
    const lite = compileToSql(item("i > $0", [5]), { dialect: "sqlite", documentColumn: "doc" });
    expect(lite.where).toMatch(
      /^\(\(json_extract\(doc, '\$\.i'\) > \? AND ifnull\(json_type\(doc, '\$\.i'\), ''\) IN \('integer', 'real'\)\) OR \(.*"\$numberDouble".*\) OR \(.*"\$numberLong".*\)\)$/,
    );
    expect(lite.params).toEqual([5, 5, 5]);
    const pg = compileToSql(item("i > $0", [5]), { dialect: "postgres", documentColumn: "doc" });
    expect(pg.where).toMatch(
      /^\(\(\(doc->'i'\) > \$1::jsonb AND coalesce\(jsonb_typeof\(\(doc->'i'\)\), ''\) IN \('number'\)\) OR \(.*\$2::numeric.*\) OR \(.*\$3::numeric.*\)\)$/,
    );
    expect(pg.params).toEqual(["5", "5", "5"]);
  });

  it("numbers PostgreSQL placeholders in order and repeats none for SQLite", () => {
    const bound = item("s BEGINSWITH 'a' AND i IN {1, 2}");
    const pg = compileToSql(bound, { dialect: "postgres", documentColumn: "d" });
    expect(pg.where.match(/\$\d+/g)).toEqual(["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8"]);
    expect(pg.params).toEqual(["a", "a", "1", "2", "1", "2", "1", "2"]);
    const lite = compileToSql(bound, { dialect: "sqlite", documentColumn: "d" });
    expect(lite.where.split("?").length - 1).toBe(lite.params.length);
  });

  it("lets SQLite serve every branch from an index on the JSON expression", () => {
    const db = new Database(":memory:");
    db.exec("CREATE TABLE docs (id INTEGER PRIMARY KEY, doc TEXT NOT NULL)");
    db.exec("CREATE INDEX docs_i ON docs (json_extract(doc, '$.i'))");
    const insert = db.prepare("INSERT INTO docs (doc) VALUES (?)");
    for (let i = 0; i < 2000; i++) insert.run(encodeDocument({ i, s: `s${i}` }));
    db.exec("ANALYZE"); // with several OR branches, SQLite needs statistics to prefer the index
    const { where, params } = compileToSql(item("i BETWEEN {10, 12} OR i == 40"), {
      dialect: "sqlite",
      documentColumn: "doc",
    });
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN SELECT id FROM docs WHERE ${where}`)
      .all(...params) as { detail: string }[];
    expect(plan.map((row) => row.detail).join("\n")).toContain("USING INDEX docs_i");
    expect(
      db
        .prepare(`SELECT json_extract(doc, '$.i') AS i FROM docs WHERE ${where} ORDER BY id`)
        .all(...params),
    ).toEqual([10, 11, 12, 40].map((i) => ({ i })));
    db.close();
  });

  it.each([
    ["bestFriend.name == 'Ann'", "links to other objects"],
    ["dogs.age > 1", "a collection inside the path"],
    ["balance > 1", "decimal128"],
    ["anything == 1", "mixed"],
    ["attrs['x'] == 1", "dictionaries"],
    ["name ==[d] 'e'", "[d] modifier"],
    ["name ==[c] 'é'", "non-ASCII"],
    ["name LIKE[c] 'é*'", "non-ASCII"],
    ["'abc' CONTAINS name", "key path on the left"],
    ["age == height", "constants (literals or arguments) on the right"],
    ["uid > uuid(11111111-1111-4111-8111-111111111111)", "Ordering comparisons on this type"],
    ["SUBQUERY(dogs, $d, $d.age > 1).@count > 0", "key path on the left"],
    ["@links.@count == 0", "this collection shape"],
    ["anything.@type == 'int'", "inside the path"],
    ["scores.@sum > 1", "inside the path"],
    ["age > 1 SORT(age ASC)", "SORT, DISTINCT and LIMIT are not compiled"],
    ["ANY {1, 2} == age", "key path on the left"],
    ['avatar CONTAINS B64"AQ=="', "compiled for strings only"],
  ])("refuses %s (%s)", (query, reason) => {
    const bound = bindQuery(query, peopleSchema, "Person");
    for (const dialect of ["sqlite", "postgres"] as const) {
      expect(() => compileToSql(bound, { dialect, documentColumn: "doc" })).toThrow(
        RqlUnsupportedError,
      );
      expect(() => compileToSql(bound, { dialect, documentColumn: "doc" })).toThrow(reason);
    }
  });

  it("refuses dates it cannot write as relaxed Extended JSON text", () => {
    const bound = item("t > $0", [new Date("+010000-01-01T00:00:00Z")]);
    expect(() => compileToSql(bound, { dialect: "sqlite", documentColumn: "doc" })).toThrow(
      "Dates outside the years 0–9999",
    );
  });

  it("refuses numbers without an exact JSON form", () => {
    expect(() =>
      compileToSql(item("d < infinity"), { dialect: "sqlite", documentColumn: "doc" }),
    ).toThrow("not compiled to SQL exactly");
    expect(() =>
      compileToSql(item("i == $0", [2n ** 60n]), { dialect: "sqlite", documentColumn: "doc" }),
    ).toThrow("not compiled to SQL exactly");
  });

  it("refuses an unknown dialect", () => {
    expect(() =>
      compileToSql(item("i > 1"), { dialect: "mysql" as "sqlite", documentColumn: "doc" }),
    ).toThrow("Unknown SQL dialect 'mysql'");
  });
});

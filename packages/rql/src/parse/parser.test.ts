import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bindQuery } from "../bind/binder.js";
import { RqlError, RqlSyntaxError } from "../errors.js";
import { schema } from "../test-support/people.js";
import { parseQuery } from "./parser.js";

function syntaxError(text: string): RqlSyntaxError {
  try {
    parseQuery(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RqlSyntaxError);
    return error as RqlSyntaxError;
  }
  throw new Error(`'${text}' parsed without error`);
}

/** Parsing either succeeds or throws the parser's own error: nothing else escapes. */
function parsesOrRejects(text: string): void {
  try {
    parseQuery(text);
  } catch (error) {
    if (!(error instanceof RqlSyntaxError)) throw error;
    expect(error.code).toBe("RqlSyntaxError");
    expect(error.offset).toBeGreaterThanOrEqual(0);
    expect(error.offset).toBeLessThanOrEqual(text.length);
  }
}

const CORPUS = [
  "age > 20 AND (name BEGINSWITH[c] 'a' OR NOT tags.@count == 0)",
  "SUBQUERY(dogs, $d, $d.age > 2 AND $d.name LIKE 'F*').@count > 0 SORT(age DESC, name ASC) DISTINCT(name) LIMIT(5)",
  "born BETWEEN {1980-01-01@00:00:00, T1700000000:5} && oid == oid(aaaaaaaaaaaaaaaaaaaaaaaa) || uid != uuid(11111111-1111-4111-8111-111111111111)",
  "attrs['x y'].@type IN {'int', \"double\"} AND ANY attrs.@keys ==[cd] 'é' AND @links.Person.bestFriend.@count >= $0",
  "avatar == B64\"AQID\" AND height < -inf AND balance == 1.5E+3 AND age == 0x1F AND name == 'a\\'b\\\\c\\u00e9'",
  "TRUEPREDICATE AND !FALSEPREDICATE AND ALL scores > 1 AND NONE {1, 2} == age AND nickname == nil",
  "NOT name TEXT 'realm -mongo* data' OR bestFriend.name text $0",
];

const TOKENS = [
  "age",
  "name",
  "tags",
  "dogs",
  ".",
  "@count",
  "@size",
  "@sum",
  "@links",
  "@keys",
  "@values",
  "@type",
  "$0",
  "$x",
  "==",
  "=",
  "!=",
  "<>",
  "<",
  "<=",
  ">",
  ">=",
  "&&",
  "||",
  "!",
  "AND",
  "OR",
  "NOT",
  "ANY",
  "ALL",
  "NONE",
  "SOME",
  "IN",
  "BETWEEN",
  "BEGINSWITH",
  "CONTAINS",
  "LIKE",
  "[c]",
  "[cd]",
  "(",
  ")",
  "{",
  "}",
  "[",
  "]",
  "'x'",
  '"y',
  "5",
  "-1.5e3",
  "0x1f",
  "true",
  "null",
  "T1:2",
  "2020-01-01@01:02:03",
  "oid(",
  "uuid(",
  'B64"',
  "SUBQUERY",
  ",",
  "SORT",
  "DISTINCT",
  "LIMIT",
  "ASC",
  "DESC",
  "TRUEPREDICATE",
  "TEXT",
  "'unterminated",
  "\\",
];

describe("parser robustness", () => {
  it("parses every query of the corpus", () => {
    for (const text of CORPUS) expect(() => parseQuery(text)).not.toThrow();
  });

  it("rejects random text with RqlSyntaxError only", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 80 }), parsesOrRejects), {
      numRuns: 2000,
    });
  });

  it("rejects random token sequences with RqlSyntaxError only", () => {
    const soup = fc
      .array(fc.constantFrom(...TOKENS), { maxLength: 25 })
      .map((tokens) => tokens.join(" "));
    fc.assert(fc.property(soup, parsesOrRejects), { numRuns: 3000 });
  });

  it("rejects every truncation of valid queries with RqlSyntaxError or RqlBindError only", () => {
    for (const text of CORPUS) {
      for (let end = 0; end <= text.length; end++) {
        const prefix = text.slice(0, end);
        parsesOrRejects(prefix);
        try {
          bindQuery(prefix, schema, "Person", [1]);
        } catch (error) {
          expect(error).toBeInstanceOf(RqlError);
        }
      }
    }
  });

  it("refuses pathological nesting with a syntax error instead of overflowing the stack", () => {
    expect(syntaxError(`${"(".repeat(100_000)}age > 1`).message).toMatch(/nested more than/);
    expect(syntaxError(`${"NOT ".repeat(100_000)}age > 1`).message).toMatch(/nested more than/);
    expect(() =>
      parseQuery(Array.from({ length: 20_000 }, (_, i) => `age == ${i}`).join(" OR ")),
    ).not.toThrow();
  });

  it("rejects a non-string query", () => {
    expect(() => parseQuery(42 as unknown as string)).toThrow(RqlSyntaxError);
  });
});

describe("syntax error messages", () => {
  it("say where parsing stopped, what was found and what was expected", () => {
    const error = syntaxError("age > ");
    expect(error.offset).toBe(6);
    expect(error.expected).toContain("a literal");
    expect(error.message).toBe(
      "Expected a value (found end of query) at offset 6; expected a property, a literal, an argument such as $0, {…}, SUBQUERY(…): age > ⟨here⟩",
    );
  });

  it("name the missing operator", () => {
    const error = syntaxError("age 5");
    expect(error.offset).toBe(4);
    expect(error.expected).toEqual(expect.arrayContaining(["==", "BEGINSWITH", "IN"]));
    expect(error.message).toContain("Missing comparison operator (found '5')");
  });

  it("show the text around the error in long queries", () => {
    const error = syntaxError("name == 'a' AND age >> 5 AND tags.@count == 0 AND alive == true");
    expect(error.offset).toBe(21);
    expect(error.message).toContain("…ame == 'a' AND age >⟨here⟩> 5 AND tags.@count …");
  });

  it.each([
    ["name == 'abc", 8, "Unterminated string"],
    ["(age > 5", 8, "Expected ')'"],
    ["age > 5 AND", 11, "Expected a value"],
    ["age > 5 SORT(age)", 16, "Missing sort direction"],
    ["age > 5 LIMIT(-1)", 14, "LIMIT needs a whole number"],
    ["age BETWEEN {1}", 12, "BETWEEN needs two bounds"],
    ["age > 5 garbage", 8, "Unexpected text after the predicate"],
    ["born > 2020-02-30@00:00:00", 7, "Invalid date"],
    ["born > T1:-5", 7, "Invalid timestamp"],
    ["age.@bogus == 1", 4, "Unknown operator @bogus"],
    ["age < [c] 5", 6, "does not apply to this operator"],
    ["name == 'a\\u12'", 10, "Bad \\u escape"],
    ["age # 5", 4, "Unexpected character"],
    ["SUBQUERY(dogs, x, x.age > 1).@count > 0", 15, "Expected the subquery variable"],
    ["SUBQUERY(dogs, $x, $x.age > 1) > 0", 31, "Expected '.'"],
  ])("%s → offset %i: %s", (text, offset, problem) => {
    const error = syntaxError(text);
    expect(error.offset).toBe(offset);
    expect(error.message).toContain(problem);
  });
});

import fc from "fast-check";
import { fuzzParameters } from "../../../protocol/src/test-support/fuzzParameters.js";
import { describe, expect, it } from "vitest";
import { bindQuery } from "../bind/binder.js";
import { describeQuery } from "../describe.js";
import { RqlUnsupportedError } from "../errors.js";
import { evaluate } from "../evaluate/evaluator.js";
import type { RqlSchema } from "../schema.js";
import { compileToSql } from "../sql/compiler.js";

/**
 * Generated texts and TEXT searches, each built from known words written in several cases and
 * with or without diacritics: the expected answer is computed from the plain words the
 * generator chose, independently of the tokeniser. Both SQL dialects must refuse every search
 * (never answer it differently), so that callers evaluate it.
 */
const schema: RqlSchema = {
  Doc: {
    name: "Doc",
    properties: {
      body: { name: "body", type: "string", optional: true, fullTextIndexed: true },
      n: { name: "n", type: "int", optional: false },
    },
  },
};

/** Each plain word with the ways a text may write it. */
const VOCABULARY: Record<string, readonly string[]> = {
  realm: ["realm", "Realm", "REALM", "réalm", "RÉALM"],
  data: ["data", "Data", "dàta", "DÅTA"],
  database: ["database", "DataBase", "dätabase"],
  cafe: ["cafe", "café", "CAFÉ", "cafe\u0301"],
  naive: ["naive", "naïve", "NAÏVE"],
  mongo: ["mongo", "Mongo"],
  mongodb: ["mongodb", "MongoDB"],
  "42": ["42"],
};
const WORDS = Object.keys(VOCABULARY);
const SEPARATORS = [" ", ", ", "-", "! ", "\n", "'", "_", " — ", "/"];

const wordArb = fc.constantFrom(...WORDS);
const writtenArb = wordArb.chain((word) =>
  fc.constantFrom(...(VOCABULARY[word] as string[])).map((written) => ({ word, written })),
);
const textArb = fc.option(
  fc.array(fc.tuple(writtenArb, fc.constantFrom(...SEPARATORS)), { maxLength: 6 }).map((parts) => ({
    words: new Set(parts.map(([{ word }]) => word)),
    text: parts.map(([{ written }, separator]) => written + separator).join(""),
  })),
  { nil: null },
);

interface Term {
  word: string;
  written: string;
  excluded: boolean;
  /** the length of the prefix searched for; undefined for the whole word */
  prefix: number | undefined;
}

const termArb: fc.Arbitrary<Term> = fc
  .record({
    written: writtenArb,
    excluded: fc.boolean(),
    prefix: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  })
  .map(({ written, excluded, prefix }) => ({ ...written, excluded, prefix }));

/** A term as a search writes it; a prefix is cut from the plain word (its characters are ASCII). */
function termText(term: Term): string {
  const body = term.prefix === undefined ? term.written : `${term.word.slice(0, term.prefix)}*`;
  return `${term.excluded ? "-" : ""}${body}`;
}

function expected(words: ReadonlySet<string>, terms: readonly Term[]): boolean {
  return terms.every((term) => {
    const found =
      term.prefix === undefined
        ? words.has(term.word)
        : [...words].some((word) => word.startsWith(term.word.slice(0, term.prefix)));
    return found !== term.excluded;
  });
}

describe("TEXT on generated texts and searches", () => {
  it("matches exactly the texts holding every wanted word or prefix and no excluded one", () => {
    fc.assert(
      fc.property(
        fc.array(textArb, { minLength: 1, maxLength: 8 }),
        fc.array(termArb, { minLength: 1, maxLength: 4 }),
        (documents, terms) => {
          const search = terms.map(termText).join(" ");
          const bound = bindQuery("body TEXT $0", schema, "Doc", [search]);
          for (const document of documents) {
            const object = { body: document?.text ?? null, n: 0 };
            expect(evaluate(bound, object), JSON.stringify({ search, object })).toBe(
              expected(document?.words ?? new Set(), terms),
            );
          }
          expect(bindQuery(describeQuery(bound), schema, "Doc").predicate).toEqual(bound.predicate);
        },
      ),
      fuzzParameters(500),
    );
  });

  it("is refused by both SQL dialects, alone or combined with compilable predicates", () => {
    const shapes = ["body TEXT $0", "n > 1 AND body TEXT $0", "NOT (n == 2 OR body TEXT $0)"];
    fc.assert(
      fc.property(
        fc.constantFrom(...shapes),
        fc.array(termArb, { minLength: 1, maxLength: 3 }),
        fc.constantFrom("sqlite" as const, "postgres" as const),
        (shape, terms, dialect) => {
          const bound = bindQuery(shape, schema, "Doc", [terms.map(termText).join(" ")]);
          expect(() => compileToSql(bound, { dialect, documentColumn: "doc" })).toThrow(
            RqlUnsupportedError,
          );
        },
      ),
      fuzzParameters(100),
    );
  });
});

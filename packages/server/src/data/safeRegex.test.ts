/**
 * Regexes on RE2: every form a filter can carry a regex in reaches the RE2 `$regex`, patterns
 * RE2 cannot run are refused with a clear error, and on ordinary input the bounded operators
 * answer exactly as mingo's own do (differential, over generated strings and patterns).
 */
import { BSONRegExp } from "bson";
import fc from "fast-check";
import { Aggregator, Context, Query } from "mingo";
import * as expressionOperators from "mingo/operators/expression";
import * as pipelineOperators from "mingo/operators/pipeline";
import * as projectionOperators from "mingo/operators/projection";
import * as queryOperators from "mingo/operators/query";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../../../protocol/src/test-support/fuzzParameters.js";
import { compileFilter, runStages } from "./mql.js";
import { safeRegex, withRegexConditions } from "./safeRegex.js";
import type { Document } from "./types.js";

/** mingo as it evaluates out of the box: the reference for ordinary input. */
const STOCK = {
  context: Context.init()
    .addExpressionOps(expressionOperators as never)
    .addPipelineOps(pipelineOperators as never)
    .addProjectionOps(projectionOperators as never)
    .addQueryOps(queryOperators as never),
  useGlobalContext: false,
  useStrictMode: true,
};

function refusal(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toMatchObject({ code: "MongoDBError" });
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

const evil = `${"a".repeat(40)}!`;

describe("regexes in filters", () => {
  it("rewrites every regex form to {$regex, $options}", () => {
    expect(
      withRegexConditions({
        a: /x/i,
        b: new BSONRegExp("y", "m"),
        c: { $regex: new BSONRegExp("z", "s") },
        d: { $not: /w/ },
      }),
    ).toEqual({
      a: { $regex: "x", $options: "i" },
      b: { $regex: "y", $options: "m" },
      c: { $regex: "z", $options: "s" },
      d: { $not: { $regex: "w", $options: "" } },
    });
    expect(withRegexConditions({ $or: [{ a: /x/ }], e: { $elemMatch: { f: /g/ } } })).toEqual({
      $or: [{ a: { $regex: "x", $options: "" } }],
      e: { $elemMatch: { f: { $regex: "g", $options: "" } } },
    });
    expect(refusal(() => withRegexConditions({ a: { $all: [/x/] } }))).toContain("$all");
  });

  it("match in linear time in every form, where a backtracking engine would not finish", () => {
    for (const filter of [
      { s: /^(a+)+$/ },
      { s: new BSONRegExp("^(a+)+$", "") },
      { s: { $regex: "^(a+)+$" } },
      { s: { $not: { $regex: "^(a+)+$" } } },
    ]) {
      const negated = "$not" in (filter.s as object);
      expect(compileFilter(filter)({ s: evil })).toBe(negated);
      expect(compileFilter(filter)({ s: "aaaa" })).toBe(!negated);
    }
    expect(compileFilter({ s: { $regex: "^A", $options: "i" } })({ s: ["b", "abc"] })).toBe(true);
  });

  it("refuse backreferences, lookaround, the x option and overlong patterns", () => {
    expect(refusal(() => compileFilter({ s: { $regex: "(a)\\1" } })({ s: "aa" }))).toContain(
      "backreferences",
    );
    expect(refusal(() => compileFilter({ s: { $regex: "(?=a)" } })({ s: "a" }))).toContain(
      "lookaround",
    );
    expect(refusal(() => safeRegex("a", "x", 100))).toContain("not supported");
    expect(refusal(() => safeRegex("a".repeat(101), "", 100))).toContain("100 characters");
  });
});

describe("bounded expression operators", () => {
  it("$regexFindAll advances past empty matches instead of looping", () => {
    const [doc] = runStages(
      [{ s: "ab" }],
      [{ $project: { _id: 0, all: { $regexFindAll: { input: "$s", regex: "" } } } }],
    );
    expect((doc?.all as unknown[]).length).toBe(3);
  });

  it("$replaceAll replaces a literal string, even one with pattern characters", () => {
    expect(
      runStages(
        [{ s: "a.b.c" }],
        [
          {
            $project: { _id: 0, r: { $replaceAll: { input: "$s", find: ".", replacement: "-" } } },
          },
        ],
      ),
    ).toEqual([{ r: "a-b-c" }]);
  });

  it("$range refuses a zero step and lengths beyond the limit", () => {
    expect(refusal(() => runStages([{}], [{ $project: { r: { $range: [0, 5, 0] } } }]))).toContain(
      "$range",
    );
    expect(
      refusal(() =>
        runStages([{ n: 2e9 }], [{ $project: { r: { $range: [0, "$n"] } } }], undefined, {
          maxRangeLength: 10,
          maxRegexLength: 10,
        }),
      ),
    ).toContain("limit is 10");
  });
});

describe("differential: bounded operators answer as mingo's on ordinary input", () => {
  const word = fc.string({ unit: fc.constantFrom("a", "b", "c", "A", " ", "-"), maxLength: 12 });
  const pattern = fc.oneof(
    word.map((w) => w.replace(/-/g, "")),
    fc.constantFrom("^a", "b$", "a+", "(a|b)c", "[abc]{2}", "a*", "^$", "(b)(c)?", "\\s", "A"),
  );
  const options = fc.constantFrom("", "i", "m", "s", "im");

  it("$regexMatch, $regexFind, $range, $split, $replaceOne, $replaceAll (of plain text) as mingo's; $regexFindAll as JavaScript's matchAll", () => {
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 5 }),
        pattern,
        options,
        fc.integer({ min: -20, max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        (inputs, regex, flags, end, step) => {
          const docs: Document[] = inputs.map((s, i) => ({ _id: i, s }));
          const stages = [
            {
              $project: {
                m: { $regexMatch: { input: "$s", regex, options: flags } },
                f: { $regexFind: { input: "$s", regex, options: flags } },
                r: { $range: [0, end, step] },
                sp: { $split: ["$s", "a"] },
                one: { $replaceOne: { input: "$s", find: "a", replacement: "z" } },
                all: {
                  $replaceAll: {
                    input: "$s",
                    find: regex.replace(/[^a-cA ]/g, ""),
                    replacement: "<>",
                  },
                },
              },
            },
          ];
          expect(runStages(docs, stages)).toEqual(new Aggregator(stages, STOCK).run(docs));
          // mingo's own $regexFindAll misplaces matches after the second and never ends on an
          // empty match, so JavaScript's matchAll is the reference here.
          const all = runStages(docs, [
            {
              $project: { _id: 0, all: { $regexFindAll: { input: "$s", regex, options: flags } } },
            },
          ]);
          const expected = inputs.map((s) => ({
            all: [...s.matchAll(new RegExp(regex, `${flags}g`))].map((m) => ({
              match: m[0],
              idx: m.index,
              captures: m.slice(1).map((c) => c ?? null),
            })),
          }));
          expect(all).toEqual(expected);
        },
      ),
      fuzzParameters(200),
    );
  });

  it("$regex filters", () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 6 }), pattern, options, (inputs, regex, flags) => {
        const docs: Document[] = inputs.map((s, i) => ({ _id: i, s }));
        const filter = { s: { $regex: regex, $options: flags } };
        const reference = new Query(filter, STOCK);
        expect(docs.filter(compileFilter(filter))).toEqual(
          docs.filter((doc) => reference.test(doc)),
        );
      }),
      fuzzParameters(200),
    );
  });
});

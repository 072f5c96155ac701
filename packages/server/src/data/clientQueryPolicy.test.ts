/**
 * The client allow-list: ordinary filters, updates, projections, sorts and pipelines pass;
 * system-only and unknown operators, stages that write or reach outside, prototype paths and
 * oversized documents are refused with a `MongoDBError` naming what was refused.
 */
import { describe, expect, it } from "vitest";
import {
  checkClientFilter,
  checkClientPipeline,
  checkClientProjection,
  checkClientSort,
  checkClientUpdate,
  isComputedProjection,
} from "./clientQueryPolicy.js";
import { DEFAULT_QUERY_LIMITS } from "./queryLimits.js";
import { BSONRegExp } from "bson";
import type { Document } from "./types.js";

const limits = DEFAULT_QUERY_LIMITS;

function refusal(check: () => void): string {
  try {
    check();
  } catch (error) {
    expect(error).toMatchObject({ code: "MongoDBError" });
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

function nested(depth: number): Document {
  let doc: Document = { a: 1 };
  for (let i = 0; i < depth; i++) doc = { a: doc };
  return doc;
}

describe("client filters", () => {
  it("pass with the comparison, logical, element, array and evaluation operators App Services allows", () => {
    const filter = {
      $and: [
        { a: { $gt: 1, $lte: 5 } },
        { $or: [{ b: { $in: [1, 2] } }, { c: { $exists: false } }] },
      ],
      $nor: [{ d: { $type: "string" } }],
      e: { $not: { $size: 2 } },
      f: { $elemMatch: { g: { $mod: [2, 0] } } },
      h: { $all: [1, 2] },
      "i.j": { $ne: null },
    };
    expect(() => checkClientFilter(filter, limits)).not.toThrow();
  });

  it("refuses system-only operators as such, and unknown ones as unsupported", () => {
    expect(refusal(() => checkClientFilter({ $where: "true" }, limits))).toBe(
      "query operator $where is only allowed in system context",
    );
    expect(refusal(() => checkClientFilter({ a: { $regex: "x" } }, limits))).toBe(
      "query operator $regex is only allowed in system context",
    );
    expect(refusal(() => checkClientFilter({ a: new BSONRegExp("x", "") }, limits))).toContain(
      "$regex",
    );
    expect(refusal(() => checkClientFilter({ a: { $in: [/x/] } }, limits))).toContain("$regex");
    expect(
      refusal(() => checkClientFilter({ $or: [{ a: { $not: { $regex: "x" } } }] }, limits)),
    ).toContain("$regex");
    expect(refusal(() => checkClientFilter({ $text: { $search: "x" } }, limits))).toContain(
      "only allowed in system context",
    );
    expect(
      refusal(() => checkClientFilter({ a: { $elemMatch: { $expr: {} } } }, limits)),
    ).toContain("$expr");
    expect(refusal(() => checkClientFilter({ a: { $nope: 1 } }, limits))).toBe(
      "query operator $nope is not supported",
    );
  });

  it("refuses prototype paths and documents nested beyond the limit", () => {
    expect(refusal(() => checkClientFilter({ "a.__proto__.b": 1 }, limits))).toContain("__proto__");
    expect(refusal(() => checkClientFilter({ constructor: { $exists: true } }, limits))).toContain(
      "constructor",
    );
    expect(() => checkClientFilter(nested(limits.maxNestingDepth - 2), limits)).not.toThrow();
    expect(refusal(() => checkClientFilter(nested(limits.maxNestingDepth + 1), limits))).toContain(
      "levels of nesting",
    );
    expect(refusal(() => checkClientFilter(nested(100_000), limits))).toContain(
      "levels of nesting",
    );
  });
});

describe("client updates", () => {
  it("pass with the field and array update operators and their modifiers", () => {
    const update = {
      $set: { a: 1, "b.c": { d: 2 } },
      $unset: { e: "" },
      $inc: { n: 1 },
      $push: { list: { $each: [1, 2], $slice: -5, $sort: 1, $position: 0 } },
      $pull: { list: { $gt: 3 }, items: { kind: "old" } },
      $rename: { old: "new" },
      $currentDate: { at: true },
    };
    expect(() => checkClientUpdate(update, limits, [{ "elem.x": { $gt: 1 } }])).not.toThrow();
  });

  it("refuses unknown operators and modifiers, prototype paths and forbidden conditions", () => {
    expect(refusal(() => checkClientUpdate({ $bogus: { a: 1 } }, limits))).toBe(
      "update operator $bogus is not supported",
    );
    expect(
      refusal(() => checkClientUpdate({ $push: { a: { $each: [1], $evil: 1 } } }, limits)),
    ).toContain("$evil");
    expect(refusal(() => checkClientUpdate({ $set: { "__proto__.x": 1 } }, limits))).toContain(
      "__proto__",
    );
    expect(
      refusal(() => checkClientUpdate({ $rename: { a: "constructor.prototype.x" } }, limits)),
    ).toContain("constructor");
    expect(refusal(() => checkClientUpdate({ $pull: { a: { $where: "1" } } }, limits))).toContain(
      "$where",
    );
    expect(
      refusal(() => checkClientUpdate({ $set: { a: 1 } }, limits, [{ x: { $regex: "y" } }])),
    ).toContain("$regex");
  });
});

describe("client projections and sorts", () => {
  it("tell kept and dropped fields from computed ones", () => {
    expect(
      isComputedProjection({ a: 1, b: 0, c: true, d: { $slice: 2 }, e: { $elemMatch: { x: 1 } } }),
    ).toBe(false);
    expect(isComputedProjection({ a: "$b" })).toBe(true);
    expect(isComputedProjection({ a: { $add: [1, 2] } })).toBe(true);
  });

  it("check expressions in projections and refuse $meta sorts and odd directions", () => {
    expect(() =>
      checkClientProjection({ a: 1, "b.$": 1, c: { $concat: ["$x", "y"] } }, limits),
    ).not.toThrow();
    expect(refusal(() => checkClientProjection({ a: { $function: {} } }, limits))).toBe(
      "expression operator $function is only allowed in system context",
    );
    expect(refusal(() => checkClientSort({ a: { $meta: "textScore" } }, limits))).toContain(
      "must be 1 or -1",
    );
    expect(() => checkClientSort({ a: 1, "b.c": -1 }, limits)).not.toThrow();
  });
});

describe("client pipelines", () => {
  it("pass with the stages and expression operators of the allow-list", () => {
    const pipeline = [
      { $match: { n: { $gte: 1 } } },
      {
        $addFields: {
          total: { $sum: ["$a", "$b"] },
          tags: { $map: { input: "$list", as: "x", in: { $toUpper: "$$x" } } },
        },
      },
      { $set: { r: { $regexMatch: { input: "$s", regex: "^a", options: "i" } } } },
      { $group: { _id: "$kind", n: { $sum: 1 }, all: { $push: "$$ROOT" } } },
      { $sort: { n: -1 } },
      { $unwind: "$all" },
      { $replaceRoot: { newRoot: "$all" } },
      { $project: { a: 1, r: { $range: [0, 10] } } },
      { $unset: ["a"] },
      { $sortByCount: "$r" },
      { $bucket: { groupBy: "$count", boundaries: [0, 10, 100], default: "other" } },
      { $skip: 1 },
      { $limit: 5 },
      { $count: "n" },
    ];
    expect(() => checkClientPipeline(pipeline, limits)).not.toThrow();
  });

  it("refuses stages that write, reach outside or are unknown", () => {
    for (const stage of [
      "$lookup",
      "$unionWith",
      "$out",
      "$merge",
      "$facet",
      "$graphLookup",
      "$collStats",
    ]) {
      expect(refusal(() => checkClientPipeline([{ [stage]: {} }], limits))).toBe(
        `aggregation stage ${stage} is only allowed in system context`,
      );
    }
    for (const stage of [
      "$currentOp",
      "$documents",
      "$densify",
      "$setWindowFields",
      "$listSessions",
    ]) {
      expect(refusal(() => checkClientPipeline([{ [stage]: {} }], limits))).toBe(
        `aggregation stage ${stage} is not supported`,
      );
    }
  });

  it("refuses forbidden operators anywhere in a stage, a literal $range too long, bad regexes and long pipelines", () => {
    expect(
      refusal(() => checkClientPipeline([{ $match: { $expr: { $eq: [1, 1] } } }], limits)),
    ).toContain("$expr");
    expect(
      refusal(() =>
        checkClientPipeline([{ $group: { _id: null, x: { $accumulator: {} } } }], limits),
      ),
    ).toContain("$accumulator");
    expect(
      refusal(() =>
        checkClientPipeline(
          [{ $project: { x: { $cond: [true, { $setIsSubset: [[1], [1]] }, 0] } } }],
          limits,
        ),
      ),
    ).toContain("$setIsSubset");
    expect(
      refusal(() =>
        checkClientPipeline([{ $project: { x: { $size: { $range: [0, 3e8] } } } }], limits),
      ),
    ).toContain("$range");
    expect(
      refusal(() =>
        checkClientPipeline(
          [{ $project: { x: { $regexMatch: { input: "$s", regex: "(?<=a)b" } } } }],
          limits,
        ),
      ),
    ).toContain("lookaround");
    expect(refusal(() => checkClientPipeline([{ $set: { "__proto__.x": 1 } }], limits))).toContain(
      "__proto__",
    );
    const long = Array.from({ length: limits.maxPipelineStages + 1 }, () => ({ $skip: 0 }));
    expect(refusal(() => checkClientPipeline(long, limits))).toContain(
      `${limits.maxPipelineStages} stages`,
    );
  });

  it("lets anything through $literal", () => {
    expect(() =>
      checkClientPipeline([{ $project: { x: { $literal: { $where: 1, $function: 2 } } } }], limits),
    ).not.toThrow();
  });
});

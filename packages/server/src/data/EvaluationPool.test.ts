/**
 * The evaluation workers: BSON values cross both ways faithfully, so a pipeline answers in a
 * worker exactly as in process (differential, over generated documents); errors keep their
 * codes; a worker that runs out of memory or time is replaced, and the next evaluation runs.
 */
import { Binary, Decimal128, Long, ObjectId, UUID } from "bson";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { fuzzParameters } from "../../../protocol/src/test-support/fuzzParameters.js";
import { EvaluationPool } from "./EvaluationPool.js";
import { runStages } from "./mql.js";
import { queryLimits } from "./queryLimits.js";
import type { Document } from "./types.js";

const pool = new EvaluationPool(
  queryLimits({ workers: 1, timeoutMs: 2_000, workerMemoryMb: 96, maxResultBytes: 100_000 }),
);
afterAll(() => pool.close());

const bsonValue = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.constantFrom(
    new ObjectId("65a000000000000000000001"),
    Decimal128.fromString("1.50"),
    Long.fromString("9007199254740993"),
    new Binary(Buffer.from("ab")),
    new UUID("0f8fad5b-d9cb-469f-a165-70867728950e"),
  ),
);
const doc = fc.record({
  _id: fc.integer(),
  k: fc.constantFrom("a", "b"),
  v: bsonValue,
  list: fc.array(bsonValue, { maxLength: 3 }),
  sub: fc.record({ v: bsonValue }),
});

const pipelines: Document[][] = [
  [{ $match: { k: "a" } }, { $project: { v: 1, list: 1, n: { $size: "$list" } } }],
  [{ $group: { _id: "$k", vs: { $push: "$v" }, count: { $sum: 1 } } }, { $sort: { _id: 1 } }],
  [{ $unwind: "$list" }, { $addFields: { same: { $eq: ["$list", "$v"] }, t: { $type: "$list" } } }],
  [{ $replaceRoot: { newRoot: "$sub" } }, { $set: { copy: "$v" } }],
];

describe("evaluation workers", () => {
  it("answer as in-process evaluation, with every BSON type intact", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(doc, { selector: (d) => d._id, maxLength: 6 }),
        fc.constantFrom(...pipelines),
        async (docs, pipeline) => {
          expect(await pool.run(docs, pipeline)).toEqual(runStages(docs, pipeline));
        },
      ),
      fuzzParameters(40),
    );
  });

  it("pass errors back with their codes, and refuse results beyond the size limit", async () => {
    await expect(
      pool.run([{ n: 2e9 }], [{ $project: { r: { $range: [0, "$n"] } } }]),
    ).rejects.toMatchObject({ code: "MongoDBError", message: expect.stringContaining("$range") });
    await expect(
      pool.run([{}], [{ $project: { r: { $range: [0, 200_000] } } }]),
    ).rejects.toMatchObject({ code: "ReadSizeLimitExceeded" });
  });

  it("refuse evaluations beyond the waiting line at once, and run those in it", async () => {
    const small = new EvaluationPool(queryLimits({ workers: 1, maxQueuedEvaluations: 1 }));
    try {
      const running = small.run([{ a: 1 }], [{ $project: { _id: 0, a: 1 } }]);
      const waiting = small.run([{ a: 2 }], [{ $project: { _id: 0, a: 1 } }]);
      await expect(small.run([{ a: 3 }], [])).rejects.toMatchObject({ code: "TooManyRequests" });
      expect(await Promise.all([running, waiting])).toEqual([[{ a: 1 }], [{ a: 2 }]]);
    } finally {
      small.close();
    }
  });

  it("replace a worker that runs out of memory or time, and run the next evaluation", async () => {
    const doubling = {
      $reduce: {
        input: { $range: [0, 40] },
        initialValue: ["x"],
        in: { $concatArrays: ["$$value", "$$value"] },
      },
    };
    await expect(pool.run([{}], [{ $project: { n: { $size: doubling } } }])).rejects.toMatchObject({
      code: "MongoDBError",
      message: expect.stringContaining("96 MB"),
    });
    expect(await pool.run([{ a: 1 }], [{ $project: { _id: 0, a: 1 } }])).toEqual([{ a: 1 }]);
    const spin = {
      $map: { input: { $range: [0, 100_000] }, in: { $size: { $range: [0, 100_000] } } },
    };
    await expect(pool.run([{}], [{ $project: { n: { $sum: spin } } }])).rejects.toMatchObject({
      code: "ExecutionTimeLimitExceeded",
    });
    expect(await pool.run([{ a: 2 }], [{ $project: { _id: 0, a: 1 } }])).toEqual([{ a: 2 }]);
  });
});

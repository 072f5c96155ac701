/**
 * Pushdown must never lose a document: for generated documents and filters, every document
 * the full MongoDB filter admits is among those the SQL-narrowed scan returns.
 */
import { Decimal128, ObjectId } from "bson";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileFilter } from "../data/mql.js";
import { openStorage } from "./openStorage.js";
import { pushdownCondition } from "./sqlitePushdown.js";
import type { StorageEngine } from "./StorageEngine.js";

const scalar = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom("a", "b", "3", ""),
  fc.double({ min: -3, max: 3, noNaN: true }),
);
const fieldValue = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  fc.constantFrom(
    null,
    true,
    false,
    new Date(0),
    new ObjectId("65a000000000000000000001"),
    Decimal128.fromString("2"),
    2 ** 60,
    { n: 1 },
  ),
);
const doc = fc.record(
  { a: fieldValue, b: fieldValue },
  { requiredKeys: [], noNullPrototype: true },
);
const condition = fc.oneof(
  scalar,
  fc.record({ $eq: scalar }, { requiredKeys: [], noNullPrototype: true }),
  fc.record({ $gt: scalar, $lte: scalar }, { requiredKeys: [], noNullPrototype: true }),
  fc.record({ $gte: scalar, $lt: scalar }, { requiredKeys: [], noNullPrototype: true }),
  fc.record({ $in: fc.array(scalar, { minLength: 1, maxLength: 3 }) }, { noNullPrototype: true }),
);
// Filters hold scalars only, so a structured clone gives them ordinary prototypes.
const filter = fc
  .oneof(
    fc.record({ a: condition, b: condition }, { requiredKeys: [] }),
    fc.record({ $and: fc.array(fc.record({ a: condition }), { minLength: 1, maxLength: 2 }) }),
    fc.record({
      $or: fc.array(fc.record({ a: condition, b: condition }, { requiredKeys: [] }), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
  )
  .map((f) => structuredClone(f) as Record<string, unknown>);

let engine: StorageEngine;
beforeAll(async () => {
  engine = await openStorage("memory");
});
afterAll(async () => {
  await engine.close();
});

describe("SQLite pushdown", () => {
  it("returns a superset of the documents the filter admits", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(doc, { maxLength: 10 }), filter, async (docs, query) => {
        const ns = { db: "p", coll: `c${run++}` };
        if (docs.length > 0)
          await engine.commit(docs.map((d, i) => ({ kind: "insert", ns, doc: { _id: i, ...d } })));
        const test = compileFilter(query);
        const expected = (await engine.scan(ns)).filter((s) => test(s.doc)).map((s) => s.doc._id);
        const narrowed = (await engine.scan(ns, { filter: query })).map((s) => s.doc._id);
        for (const id of expected) expect(narrowed).toContain(id);
      }),
      { numRuns: 300 },
    );
  });

  it("translates only what it can express", () => {
    expect(pushdownCondition({ ownerId: "u1" })?.params).toEqual([
      '$."ownerId"',
      '$."ownerId"',
      "u1",
    ]);
    expect(
      pushdownCondition({
        "a.b": 1,
        $or: [{ a: 1 }, { c: { $ne: 1 } }],
        c: { $ne: 1 },
        d: new ObjectId(),
      }),
    ).toBeNull();
    expect(pushdownCondition({ $or: [{ a: 1 }, { b: "x" }] })?.sql).toContain(" OR ");
  });
});

/**
 * Pushdown must never lose a document, on any engine: for generated documents and filters,
 * a scan narrowed by a MongoDB filter, or by RQL subscription queries, returns every document
 * the filter (the evaluator) admits, and re-filtered gives exactly what filtering the whole
 * namespace gives. `open` returns a fresh, empty engine.
 */
import { Decimal128, ObjectId } from "bson";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindQuery, evaluate } from "@atoll/rql";
import { fuzzParameters } from "../../../../protocol/src/test-support/fuzzParameters.js";
import { differentialCaseArb, itemSchema } from "../../../../rql/src/test-support/differential.js";
import { compileFilter } from "../../data/mql.js";
import type { StorageEngine, StoredDocument } from "../StorageEngine.js";

const scalar = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom("a", "b", "3", "", "é", "B"),
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
const mqlDocument = fc.record(
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
const mqlFilter = fc
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

async function streamed(
  engine: StorageEngine,
  ...args: Parameters<StorageEngine["scanStream"]>
): Promise<StoredDocument[]> {
  const out: StoredDocument[] = [];
  for await (const page of engine.scanStream(...args)) out.push(...page);
  return out;
}

export function describePushdownDifferential(
  name: string,
  open: () => Promise<StorageEngine>,
): void {
  describe(`pushdown: ${name}`, () => {
    let engine: StorageEngine;
    let run = 0;
    beforeAll(async () => {
      engine = await open();
    });
    afterAll(async () => {
      await engine.close();
    });

    it("returns fewer documents when a hint narrows", async () => {
      const ns = { db: "p", coll: "plain" };
      await engine.commit(
        [1, 2, 3].map((i) => ({ kind: "insert", ns, doc: { _id: i, i, s: `s${i}` } }) as const),
      );
      const ids = (found: readonly StoredDocument[]): unknown[] => found.map((s) => s.doc._id);
      expect(ids(await engine.scan(ns, { filter: { i: { $gt: 1 }, s: "s3" } }))).toEqual([3]);
      const query = bindQuery("i > $0 AND s != 's2'", itemSchema, "Item", [1]);
      expect(ids(await engine.scan(ns, { rql: [query] }))).toEqual([3]);
      expect(ids(await streamed(engine, ns, { rql: [query] }, 1))).toEqual([3]);
      const sorted = bindQuery("i > 1 SORT(i DESC)", itemSchema, "Item", []);
      expect(ids(await engine.scan(ns, { rql: [query, sorted] }))).toEqual([1, 2, 3]);
    });

    it("scans rather than fails when an RQL hint is too large for SQL", async () => {
      const ns = { db: "p", coll: "large" };
      await engine.commit([1, 2].map((i) => ({ kind: "insert", ns, doc: { _id: i, i } }) as const));
      const chain = Array.from({ length: 1500 }, () => "i > 0").join(" AND ");
      const nested = `${"(".repeat(190)}i > 1${")".repeat(190)}`;
      for (const text of [chain, nested]) {
        const query = bindQuery(text, itemSchema, "Item", []);
        const found = (await engine.scan(ns, { rql: [query] })).map((s) => s.doc._id);
        expect(found.filter((id) => evaluate(query, { _id: id, i: id }))).toEqual(
          text === chain ? [1, 2] : [2],
        );
      }
    });

    it("narrows by a MongoDB filter without losing a matching document", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(mqlDocument, { maxLength: 10 }),
          mqlFilter,
          async (docs, query) => {
            const ns = { db: "p", coll: `mql${run++}` };
            if (docs.length > 0)
              await engine.commit(
                docs.map((d, i) => ({ kind: "insert", ns, doc: { _id: i, ...d } })),
              );
            const test = compileFilter(query);
            const expected = (await engine.scan(ns))
              .filter((s) => test(s.doc))
              .map((s) => s.doc._id);
            const narrowed = (await engine.scan(ns, { filter: query })).map((s) => s.doc);
            expect(narrowed.filter(test).map((doc) => doc._id)).toEqual(expected);
            const pages = await streamed(engine, ns, { filter: query }, 3);
            expect(pages.map((s) => s.doc)).toEqual(narrowed);
          },
        ),
        fuzzParameters(150),
      );
    });

    it("narrows by RQL subscription queries without losing a matching document", async () => {
      await fc.assert(
        fc.asyncProperty(differentialCaseArb, differentialCaseArb, async (first, second) => {
          const ns = { db: "p", coll: `rql${run++}` };
          const documents = first.documents.map((doc, index) => ({ _id: index, ...doc }));
          if (documents.length > 0)
            await engine.commit(documents.map((doc) => ({ kind: "insert", ns, doc })));
          const queries = [first, second].map((c) =>
            bindQuery(c.query, itemSchema, "Item", c.args),
          );
          const admits = (doc: Record<string, unknown>): boolean =>
            queries.some((query) => evaluate(query, doc));
          const expected = (await engine.scan(ns))
            .filter((s) => admits(s.doc))
            .map((s) => s.doc._id);
          const narrowed = (await engine.scan(ns, { rql: queries })).map((s) => s.doc);
          expect(narrowed.filter(admits).map((doc) => doc._id)).toEqual(expected);
          const pages = await streamed(engine, ns, { rql: queries.slice(0, 1) }, 4);
          const one = (doc: Record<string, unknown>): boolean => evaluate(queries[0]!, doc);
          expect(pages.filter((s) => one(s.doc)).map((s) => s.doc._id)).toEqual(
            (await engine.scan(ns)).filter((s) => one(s.doc)).map((s) => s.doc._id),
          );
        }),
        fuzzParameters(100),
      );
    });
  });
}

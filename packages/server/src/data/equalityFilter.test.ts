import fc from "fast-check";
import { ObjectId } from "bson";
import { Query } from "mingo";
import { describe, expect, it } from "vitest";
import { equalityPredicate } from "./equalityFilter.js";
import { compileFilter } from "./mql.js";
import type { Document } from "./types.js";

const field = fc.constantFrom("ownerId", "group", "done", "tags");
const scalar = fc.oneof(fc.constantFrom("a", "b", "", "A"), fc.boolean());
/** Values MongoDB and mingo agree on: no nested arrays, no BSON class instances. */
const held = fc.oneof(
  scalar,
  fc.constantFrom(0, 1, null, "true"),
  fc.array(fc.oneof(scalar, fc.constant(null)), { maxLength: 3 }),
  fc.record({ a: scalar }),
);
// Plain objects, as filters and documents are (fast-check's dictionaries have no prototype).
const filter = fc.dictionary(field, scalar, { maxKeys: 3 }).map((f) => ({ ...f }));
const doc = fc.dictionary(field, held, { maxKeys: 4 }).map((d) => ({ ...d }));

describe("equality filters", () => {
  it("match as the query engine does", () => {
    fc.assert(
      fc.property(filter, doc, (f, d) => {
        const predicate = equalityPredicate(f);
        expect(predicate).toBeDefined();
        expect(predicate!(d)).toBe(new Query(f).test(d));
      }),
      { numRuns: 2000 },
    );
  });

  it("leave operators, dotted paths and other values to the engine", () => {
    for (const f of [
      { ownerId: { $eq: "a" } },
      { "owner.id": "a" },
      { $or: [{ a: "x" }] },
      { n: 1 },
      { n: null },
      { id: new ObjectId() },
    ] as Document[])
      expect(equalityPredicate(f)).toBeUndefined();
  });

  it("follow MongoDB where the engine does not: no match inside nested arrays or on another type", () => {
    const id = new ObjectId();
    expect(compileFilter({ tags: "x" })({ tags: [["x"]] })).toBe(false);
    expect(compileFilter({ tags: "x" })({ tags: ["y", "x"] })).toBe(true);
    expect(compileFilter({ ownerId: id.toHexString() })({ ownerId: id })).toBe(false);
  });
});

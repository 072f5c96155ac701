/**
 * `objectKey` names merge-metadata documents already stored, so its text must stay exactly
 * what it always was: checked against the original definition on generated keys.
 */
import type { PrimaryKey } from "@atoll/protocol";
import { Long, ObjectId, UUID } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { objectKey } from "./integrateUpload.js";

/** The definition the stored keys were written with. */
function originalObjectKey(table: string, pk: PrimaryKey): string {
  return JSON.stringify([
    table,
    pk === null ? null : typeof pk === "string" ? pk : `${pk.constructor.name}:${pk.toString()}`,
  ]);
}

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc.constantFrom('a"b', "a\\b", "\u2028", "\ud800", "\u0000", "\u007f", "é", ""),
);

const primaryKey: fc.Arbitrary<PrimaryKey> = fc.oneof(
  fc.constant(null),
  text,
  fc.uint8Array({ minLength: 12, maxLength: 12 }).map((bytes) => new ObjectId(bytes)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Long.fromBigInt(n)),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => new UUID(bytes)),
);

describe("objectKey", () => {
  it("writes the same text as the original definition", () => {
    fc.assert(
      fc.property(text, primaryKey, (table, pk) => {
        expect(objectKey(table, pk)).toBe(originalObjectKey(table, pk));
        // Asked again for the same key object (its text is remembered).
        expect(objectKey(table, pk)).toBe(originalObjectKey(table, pk));
      }),
      { numRuns: 2000 },
    );
  });
});

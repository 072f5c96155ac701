import fc from "fast-check";
import { Decimal128, ObjectId, UUID } from "bson";
import { describe, expect, it } from "vitest";
import { decodeValues, encodeValues } from "./rowCodec.js";

describe("row encoding", () => {
  it("stores plain values as JSON text and everything else as BSON", () => {
    expect(typeof encodeValues({ a: 1, b: "x", c: [1, 2], d: { k: null } })).toBe("string");
    for (const odd of [
      new Date(0),
      new ObjectId(),
      new UUID(),
      Decimal128.fromString("1"),
      new Uint8Array([1]),
      NaN,
      Infinity,
      -0,
    ]) {
      expect(encodeValues({ a: 1, odd }), String(odd)).toBeInstanceOf(Uint8Array);
      expect(encodeValues({ list: [1, odd] }), String(odd)).toBeInstanceOf(Uint8Array);
    }
  });

  it("round-trips any mix of stored values", () => {
    const scalar = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.date({ noInvalidDate: true }),
      fc.uint8Array({ maxLength: 4 }),
    );
    const value = fc.oneof(
      scalar,
      fc.array(scalar, { maxLength: 3 }),
      fc.dictionary(
        fc
          .string({ minLength: 1 })
          .filter(
            (k) => !k.startsWith("$") && !k.includes(".") && !k.includes("\0") && k !== "__proto__",
          ),
        scalar,
        { maxKeys: 3 },
      ),
    );
    fc.assert(
      fc.property(
        fc.dictionary(
          fc
            .string({ minLength: 1 })
            .filter(
              (k) =>
                !k.startsWith("$") && !k.includes(".") && !k.includes("\0") && k !== "__proto__",
            ),
          value,
          { maxKeys: 5 },
        ),
        (values) => {
          const decoded = decodeValues(encodeValues(values));
          expect(decoded).toEqual(values);
        },
      ),
      { numRuns: 200 },
    );
  });
});

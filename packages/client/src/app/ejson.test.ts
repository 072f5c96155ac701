/**
 * The HTTP boundary's EJSON: whatever a user passes to a function comes back from the server's
 * canonical encoding as the same value (numbers as numbers, int64 beyond the safe range as
 * `Long`, other BSON types as themselves).
 */
import { Decimal128, Long, ObjectId } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeEjson, encodeEjson } from "./ejson.js";

const unsafeLong = fc
  .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
  .filter((n) => n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER))
  .map((n) => Long.fromBigInt(n));

const leaf = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0)),
  fc.constant(-0),
  fc.double(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ minLength: 12, maxLength: 12 }).map((bytes) => new ObjectId(bytes)),
  unsafeLong,
  fc
    .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 20 }))
    .map(([digits, scale]) => Decimal128.fromString(`${digits}E-${scale}`)),
);

const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(
    fc.string().filter((key) => !key.startsWith("$")),
    tie("value"),
    { maxKeys: 4 },
  ),
})).value;

describe("EJSON at the HTTP boundary", () => {
  it("decodes what it encodes to the same value", () => {
    fc.assert(
      fc.property(value, (original) => {
        expect(decodeEjson(encodeEjson(original))).toEqual(original);
      }),
    );
  });

  it("keeps an unsafe int64 a Long, to the last digit, and makes a safe one a number", () => {
    const decoded = decodeEjson(
      '{"big":{"$numberLong":"9007199254740993"},"small":{"$numberLong":"12"},"i":{"$numberInt":"-3"}}',
    );
    expect(decoded).toEqual({ big: Long.fromString("9007199254740993"), small: 12, i: -3 });
    expect(String((decoded as { big: Long }).big)).toBe("9007199254740993");
  });

  it("sends a JS number as a double or an int, never an int64", () => {
    expect(JSON.parse(encodeEjson([2 ** 60, 7, 0.5]))).toEqual([
      { $numberDouble: "1152921504606846976.0" },
      { $numberInt: "7" },
      { $numberDouble: "0.5" },
    ]);
  });
});

import { Binary, Decimal128, EJSON, Long, ObjectId } from "bson";
import fc from "fast-check";
import { expect, it } from "vitest";
import { fuzzParameters } from "../../../protocol/src/test-support/fuzzParameters.js";
import { normaliseBson } from "../storage/normaliseBson.js";
import { documentFromExtendedJson } from "./extendedJsonValues.js";

const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    fc.double(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Long.fromBigInt(n)),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.date({ min: new Date(-1e12), max: new Date(4e12), noInvalidDate: true }),
    fc
      .uint8Array({ maxLength: 8 })
      .map(
        (bytes) =>
          new ObjectId(Buffer.from([...bytes, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).subarray(0, 12)),
      ),
    fc.uint8Array({ maxLength: 6 }).map((bytes) => new Binary(bytes)),
    fc.constantFrom("1.5", "-0", "1E+3").map((d) => Decimal128.fromString(d)),
  ),
  node: fc.oneof(
    { depthSize: "small" },
    tie("leaf"),
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(
      fc.string().filter((k) => !k.startsWith("$")),
      tie("node"),
      { maxKeys: 3 },
    ),
  ),
}));

it("reads canonical and relaxed Extended JSON as the bson package and normaliseBson do", () => {
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.string().filter((k) => !k.startsWith("$")),
        value.node,
        { maxKeys: 5 },
      ),
      fc.boolean(),
      (doc, relaxed) => {
        const text = EJSON.stringify(doc, { relaxed });
        const expected = normaliseBson(EJSON.parse(text, { relaxed: false }));
        expect(documentFromExtendedJson(text)).toEqual(expected);
      },
    ),
    fuzzParameters(300),
  );
});

it("refuses what is not a document or not a valid wrapper", () => {
  expect(() => documentFromExtendedJson("[1]")).toThrow(/JSON object/);
  expect(() => documentFromExtendedJson('{"n": {"$numberInt": "4294967296"}}')).toThrow(/32-bit/);
  expect(() => documentFromExtendedJson('{"d": {"$date": "yesterday"}}')).toThrow(/valid date/);
});

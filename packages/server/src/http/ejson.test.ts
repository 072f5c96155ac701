import { AppError, normaliseNumbers } from "@atoll/protocol";
import { Decimal128, Double, EJSON, Int32, Long, ObjectId } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEjson, parseEjsonObject, toCanonicalEjson } from "./ejson.js";
import { escapeData } from "./watchStream.js";

/** Values in the data layer's convention: int32/double as numbers, unsafe int64 as Long. */
const bsonValue = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
    fc
      .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
      .map((big) => Long.fromBigInt(big))
      .map((long) => normaliseNumbers(long)),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ minLength: 12, maxLength: 12 }).map((bytes) => new ObjectId(bytes)),
    fc.integer({ min: -8.64e12, max: 8.64e12 }).map((ms) => new Date(ms)),
  ),
  node: fc.oneof(
    { depthSize: "small" },
    tie("leaf"),
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(
      fc.string().filter((key) => !key.startsWith("$")),
      tie("node"),
      { maxKeys: 4 },
    ),
  ),
}));

describe("EJSON at the HTTP boundary", () => {
  it("reads back every value it writes, types included (generated documents)", () => {
    fc.assert(
      fc.property(bsonValue.node, (value) => {
        expect(parseEjson(toCanonicalEjson(value), 128)).toEqual(value);
      }),
    );
  });

  it("turns canonical numbers into the data layer's numbers, keeping unsafe int64 exact", () => {
    const parsed = parseEjson(
      '{"i":{"$numberInt":"7"},"d":{"$numberDouble":"1.5"},"l":{"$numberLong":"42"},"big":{"$numberLong":"9007199254740993"},"dec":{"$numberDecimal":"1.10"}}',
      128,
    );
    expect(parsed).toEqual({
      i: 7,
      d: 1.5,
      l: 42,
      big: Long.fromString("9007199254740993"),
      dec: Decimal128.fromString("1.10"),
    });
    expect(normaliseNumbers([new Int32(3), new Double(2.5)])).toEqual([3, 2.5]);
  });

  it("writes integers, doubles and int64 in their canonical forms and undefined as null", () => {
    expect(toCanonicalEjson({ a: 1, b: 1.5, c: Long.fromNumber(2) })).toBe(
      '{"a":{"$numberInt":"1"},"b":{"$numberDouble":"1.5"},"c":{"$numberLong":"2"}}',
    );
    expect(toCanonicalEjson(undefined)).toBe("null");
    expect(toCanonicalEjson([2 ** 53, 1e20])).toBe(
      '[{"$numberDouble":"9007199254740992.0"},{"$numberDouble":"100000000000000000000.0"}]',
    );
    expect(EJSON.parse(toCanonicalEjson({ when: new Date(0) }), { relaxed: false })).toEqual({
      when: new Date(0),
    });
  });

  it("answers malformed JSON, malformed EJSON and non-objects with BadRequest", () => {
    for (const text of [
      "{",
      '{"$oid":"xyz"}',
      '{"n":{"$numberInt":"x"}}',
      '{"n":[{"$numberInt":"1.5"}]}',
      '{"d":{"$numberDouble":"abc"}}',
      '{"t":{"$date":"garbage"}}',
      "[1]",
      '"text"',
    ]) {
      const error = (() => {
        try {
          parseEjsonObject(text, 128);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, text).toBeInstanceOf(AppError);
      expect((error as AppError).code, text).toBe("BadRequest");
    }
    expect(parseEjsonObject("", 128)).toEqual({});
  });

  it("refuses nesting beyond its limit with BadRequest, counting only brackets outside strings", () => {
    const nested = (depth: number) => `{"a":${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}}`;
    expect(() => parseEjsonObject(nested(128), 128)).not.toThrow();
    expect(() => parseEjsonObject(nested(129), 128)).toThrow(/deeper than 128 levels/);
    expect(() => parseEjsonObject(`{"a":${"[".repeat(100_000)}`, 128)).toThrow(AppError);
    const bracketsInString = { s: `${"[{".repeat(1_000)}\\"[{` };
    expect(parseEjsonObject(JSON.stringify(bracketsInString), 2)).toEqual(bracketsInString);
  });
});

describe("server-sent event data", () => {
  it("never contains a raw line break, and decodes back to the original text (generated strings)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "%", "0", "A", "D", "\n", "\r", "é", ":") }),
        (text) => {
          const escaped = escapeData(text);
          expect(escaped).not.toMatch(/[\r\n]/);
          expect(escaped.replace(/%0A/g, "\n").replace(/%0D/g, "\r").replace(/%25/g, "%")).toBe(
            text,
          );
        },
      ),
    );
  });
});

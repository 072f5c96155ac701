/**
 * Values cross the sandbox boundary as canonical EJSON: every BSON type must arrive as the same
 * value, both ways, normalised as data/types.ts prescribes.
 */
import {
  Binary,
  BSONRegExp,
  Code,
  Decimal128,
  Double,
  EJSON,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
  UUID,
} from "bson";
import { stringifyCanonicalEjson } from "@atoll/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normaliseBson } from "../storage/normaliseBson.js";
import { startHarness, userNamed } from "./test-support/functionsHarness.js";
import type { Harness } from "./test-support/functionsHarness.js";

const USER = userNamed("64b7f0c2a1b2c3d4e5f60003");
const canonical = (value: unknown) => EJSON.stringify(value, { relaxed: false });

const bsonLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.boolean(),
  fc.constant(null),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.double(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Long.fromBigInt(n)),
  fc.integer().map((n) => new Int32(n)),
  fc.double().map((n) => new Double(n)),
  fc.uint8Array({ minLength: 12, maxLength: 12 }).map((bytes) => new ObjectId(bytes)),
  fc.date({ noInvalidDate: true }),
  fc
    .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: -30, max: 30 }))
    .map(([digits, exponent]) => Decimal128.fromString(`${digits}E${exponent}`)),
  fc.uuid().map((text) => new UUID(text)),
  fc
    .tuple(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(0, 5, 0x80))
    .map(([bytes, subtype]) => new Binary(bytes, subtype)),
  fc
    .tuple(fc.stringMatching(/^[a-z0-9.*+?]{0,12}$/), fc.subarray(["i", "m", "s", "u", "x"]))
    .map(([pattern, flags]) => new BSONRegExp(pattern, flags.join(""))),
  fc
    .tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.nat({ max: 2 ** 32 - 1 }))
    .map(([t, i]) => new Timestamp({ t, i })),
  fc.constant(new MinKey()),
  fc.constant(new MaxKey()),
  fc.string().map((code) => new Code(code)),
);

// Keys starting with "$" would read as EJSON type wrappers; "__proto__" is covered elsewhere.
const documentKey = fc.string().filter((key) => !key.startsWith("$") && key !== "__proto__");

const bsonValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    bsonLeaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(documentKey, tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("values across the sandbox boundary", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      echo: { source: "exports = (...args) => args;" },
      describe: {
        source: `exports = (id, when, amount, big, uuid, bytes, small) => [
          id instanceof BSON.ObjectId, when instanceof Date, amount instanceof BSON.Decimal128,
          big instanceof BSON.Long, uuid instanceof BSON.Binary, bytes instanceof BSON.Binary,
          typeof small, when.getTime(), id.toHexString(), amount.toString(), big.toString(), bytes.sub_type,
        ];`,
      },
      create: {
        source: `exports = () => ({
          id: new BSON.ObjectId("65a1b2c3d4e5f60718293a4b"),
          when: new Date(Date.UTC(2024, 1, 29, 12, 30)),
          amount: BSON.Decimal128.fromString("1234.5678"),
          big: BSON.Long.fromString("9007199254740993"),
          small: BSON.Long.fromNumber(42),
          int: new BSON.Int32(7),
          double: new BSON.Double(2.5),
          uuid: new BSON.UUID("6f1e7a0e-8a4b-4c5e-9d3f-2b1a0c9d8e7f"),
          bytes: new BSON.Binary(new Uint8Array([1, 2, 3]), 0),
          regex: new BSON.BSONRegExp("^a.c$", "i"),
          stamp: new BSON.Timestamp({ t: 5, i: 6 }),
          fresh: new BSON.ObjectId(),
          nested: [{ deep: [new BSON.MinKey(), new BSON.MaxKey()] }],
          nothing: null,
          skipped: undefined,
        })`,
      },
      nothing: { source: "exports = () => undefined;" },
      huge: {
        source: `exports = (arg) => ({
          arg, power: 2 ** 60, negative: -(2 ** 60), long: BSON.Long.fromString("1152921504606846977"),
        });`,
      },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it("round-trips generated values of every BSON type unchanged", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bsonValue, { maxLength: 3 }), async (args) => {
        const result = await h.service.execute("echo", args, USER);
        expect(canonical(result)).toBe(canonical(normaliseBson(args)));
      }),
      { numRuns: 150 },
    );
  });

  it("hands arguments to the function as BSON classes, numbers normalised", async () => {
    const args = [
      new ObjectId("65a1b2c3d4e5f60718293a4b"),
      new Date(1_700_000_000_000),
      Decimal128.fromString("0.1"),
      Long.fromString("9223372036854775807"),
      new UUID("6f1e7a0e-8a4b-4c5e-9d3f-2b1a0c9d8e7f"),
      new Binary(new Uint8Array([9, 8]), 5),
      new Int32(12),
    ];
    expect(await h.service.execute("describe", args, USER)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      "number",
      1_700_000_000_000,
      "65a1b2c3d4e5f60718293a4b",
      "0.1",
      "9223372036854775807",
      5,
    ]);
  });

  it("delivers values created inside as the host's BSON classes", async () => {
    const result = (await h.service.execute("create", [], USER)) as Record<string, unknown>;
    expect(result.id).toEqual(new ObjectId("65a1b2c3d4e5f60718293a4b"));
    expect(result.when).toEqual(new Date(Date.UTC(2024, 1, 29, 12, 30)));
    expect(result.amount).toEqual(Decimal128.fromString("1234.5678"));
    expect(result.big).toEqual(Long.fromString("9007199254740993"));
    expect(result.small).toBe(42);
    expect(result.int).toBe(7);
    expect(result.double).toBe(2.5);
    expect(result.uuid).toBeInstanceOf(Binary);
    expect((result.uuid as Binary).toUUID().toHexString()).toBe(
      "6f1e7a0e-8a4b-4c5e-9d3f-2b1a0c9d8e7f",
    );
    expect(result.bytes).toEqual(new Binary(new Uint8Array([1, 2, 3]), 0));
    expect(result.regex).toEqual(new BSONRegExp("^a.c$", "i"));
    expect(result.stamp).toEqual(new Timestamp({ t: 5, i: 6 }));
    expect(result.fresh).toBeInstanceOf(ObjectId);
    expect(result.nested).toEqual([{ deep: [new MinKey(), new MaxKey()] }]);
    expect(result.nothing).toBeNull();
    expect(result.skipped).toBeNull();
  });

  it("generates distinct ObjectIds in every call", async () => {
    const ids = await Promise.all(
      Array.from({ length: 10 }, () => h.service.execute("create", [], USER)),
    );
    const hex = ids.map((r) => (r as { fresh: ObjectId }).fresh.toHexString());
    expect(new Set(hex).size).toBe(10);
  });

  it("keeps integers beyond 2^53 exact both ways: numbers as doubles, Longs as int64", async () => {
    const result = await h.service.execute("huge", [2 ** 60 + 2 ** 10], USER);
    expect(result).toEqual({
      arg: 2 ** 60 + 2 ** 10,
      power: 2 ** 60,
      negative: -(2 ** 60),
      long: Long.fromString("1152921504606846977"),
    });
    // What functions/call answers with.
    expect(JSON.parse(stringifyCanonicalEjson(result))).toEqual({
      arg: { $numberDouble: "1152921504606848000.0" },
      power: { $numberDouble: "1152921504606846976.0" },
      negative: { $numberDouble: "-1152921504606846976.0" },
      long: { $numberLong: "1152921504606846977" },
    });
  });

  it("returns undefined as null, as Extended JSON has no undefined", async () => {
    expect(await h.service.execute("nothing", [], USER)).toBeNull();
  });
});

import { Decimal128, Double, EJSON, Int32, Long, ObjectId, UUID } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeDocument,
  encodeDocument,
  idDocumentText,
  idKey,
  replaceBson,
} from "./documentCodec.js";
import { normaliseBson } from "./normaliseBson.js";

const bsonLeaf = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.stringMatching(/^[0-9a-f]{24}$/).map((h) => new ObjectId(h)),
  fc.uuid().map((u) => new UUID(u)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => Long.fromBigInt(b)),
  fc.integer().map((i) => Decimal128.fromString(`${i}.25`)),
);
const documentArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    bsonLeaf,
    fc.array(tie("value"), { maxLength: 3 }),
    tie("doc"),
  ),
  doc: fc.dictionary(
    fc.string({ minLength: 1 }).filter((k) => !k.startsWith("$")),
    tie("value"),
    { maxKeys: 4 },
  ),
})).doc;

/** What the data layer promises to hand back: safe int64 as numbers, wide ones as Long. */
function expected(value: unknown): unknown {
  if (Long.isLong(value)) {
    const safe =
      value.lessThanOrEqual(Number.MAX_SAFE_INTEGER) &&
      value.greaterThanOrEqual(Number.MIN_SAFE_INTEGER);
    return safe ? value.toNumber() : value;
  }
  if (Array.isArray(value)) return value.map(expected);
  const proto: unknown =
    value !== null && typeof value === "object" ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) {
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, expected(v)]));
  }
  return value;
}

/** The text written, or the error thrown. */
function outcome(encode: () => string): string {
  try {
    return encode();
  } catch (error) {
    return `throws ${String(error)}`;
  }
}

describe("document codec", () => {
  it("round-trips generated documents with BSON values", () => {
    fc.assert(
      fc.property(documentArb, (doc) => {
        const text = encodeDocument(doc);
        expect(decodeDocument(text)).toEqual(expected(doc));
        // The stored text is EJSON as the bson package reads it, and what it writes we read.
        expect(normaliseBson(EJSON.parse(text, { relaxed: false }))).toEqual(decodeDocument(text));
        const canonical = EJSON.stringify(doc, { relaxed: false });
        expect(decodeDocument(canonical)).toEqual(
          normaliseBson(EJSON.parse(canonical, { relaxed: false })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("writes the text of the general encoding (generated documents and odd values)", () => {
    const odd = fc.constantFrom<unknown>(
      -0,
      2 ** 60,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      undefined,
      new Int32(7),
      new Double(-0),
      new Uint8Array([1, 2]),
      { _bsontype: "Nope", a: 1 },
      Object.assign(Object.create(null) as object, { a: [undefined, 1] }),
      { toJSON: () => "x" },
      [undefined, () => 1],
    );
    const value = fc.oneof(bsonLeaf, odd);
    const docs = fc.oneof(
      documentArb,
      fc.dictionary(
        fc.string({ minLength: 1 }),
        fc.oneof(value, fc.array(value, { maxLength: 3 })),
      ),
    );
    fc.assert(
      fc.property(docs, (doc) => {
        expect(outcome(() => encodeDocument(doc))).toBe(
          outcome(() => JSON.stringify(doc, replaceBson)),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it("writes strings, field names and ObjectIds as the general encoding does (odd characters)", () => {
    const piece = fc.constantFrom(
      '"',
      "\\",
      "\n",
      "\u0000",
      "\u001f",
      "\u007f",
      "\ud800",
      "\udc00",
      "é",
      "😀",
      "a",
      "$",
    );
    const oddString = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.array(piece, { maxLength: 80 }).map((pieces) => pieces.join("")),
      fc.string({ minLength: 60, maxLength: 70 }),
    );
    const objectId = fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => new ObjectId(b));
    const idNumber = fc.oneof(fc.nat(), fc.maxSafeInteger(), fc.double(), fc.constant(-0));
    const doc = fc.dictionary(oddString, fc.oneof(oddString, objectId, fc.array(oddString)), {
      maxKeys: 5,
    });
    fc.assert(
      fc.property(doc, oddString, objectId, idNumber, (d, text, oid, n) => {
        expect(encodeDocument(d)).toBe(JSON.stringify(d, replaceBson));
        expect(idKey(text)).toBe(JSON.stringify({ k: text }, replaceBson));
        expect(idKey(oid)).toBe(JSON.stringify({ k: oid }, replaceBson));
        expect(idKey(n)).toBe(JSON.stringify({ k: n }, replaceBson));
      }),
      { numRuns: 1000 },
    );
  });

  it("reads a field named __proto__ as a field, wrappers inside it revived", () => {
    const oid = new ObjectId();
    const doc = decodeDocument(
      `{"__proto__":{"$oid":"${oid.toHexString()}"},"a":[{"__proto__":1}]}`,
    );
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(doc, "__proto__")?.value).toEqual(oid);
    const [inner] = doc.a as object[];
    expect(Object.getOwnPropertyDescriptor(inner, "__proto__")?.value).toBe(1);
  });

  it("names the field of an invalid date", () => {
    expect(() => encodeDocument({ a: [{ when: new Date(Number.NaN) }] })).toThrow(/"when"/);
  });

  it("normalises Int32 and Double to numbers", () => {
    expect(decodeDocument(encodeDocument({ a: new Int32(3), b: new Double(2.5) }))).toEqual({
      a: 3,
      b: 2.5,
    });
  });

  it("gives equal _id values equal keys and different types different keys", () => {
    const oid = new ObjectId();
    expect(idKey(new ObjectId(oid.toHexString()))).toBe(idKey(oid));
    expect(idKey(oid.toHexString())).not.toBe(idKey(oid));
    expect(idKey(Long.fromNumber(5))).toBe(idKey(5));
    expect(idKey("5")).not.toBe(idKey(5));
  });

  it("writes an id's key and its {_id} document as the general encoding does (generated ids)", () => {
    fc.assert(
      fc.property(bsonLeaf, (id) => {
        expect(idKey(id)).toBe(encodeDocument({ k: normaliseBson(id) }));
        expect(idDocumentText(idKey(id))).toBe(encodeDocument({ _id: normaliseBson(id) }));
      }),
      { numRuns: 1000 },
    );
  });

  it("reports undecodable text as Corrupt", () => {
    expect(() => decodeDocument("{nope")).toThrow(expect.objectContaining({ code: "Corrupt" }));
  });
});

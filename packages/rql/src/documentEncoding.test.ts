import { Binary, Decimal128, ObjectId, UUID } from "bson";
import { describe, expect, it } from "vitest";
import { decodeDocument, encodeDocument } from "./documentEncoding.js";

describe("the storage encoding", () => {
  it("is relaxed Extended JSON, with bare byte arrays stored as binary", () => {
    const text = encodeDocument({
      n: 5,
      x: 2.5,
      s: "é",
      b: true,
      z: null,
      o: new ObjectId("aaaaaaaaaaaaaaaaaaaaaaaa"),
      d: new Date("2020-01-02T03:04:05Z"),
      ms: new Date("2020-01-02T03:04:05.678Z"),
      u: new UUID("11111111-1111-4111-8111-111111111111"),
      bytes: new Uint8Array([1, 2, 3]),
      dec: Decimal128.fromString("1.50"),
      nested: { list: [new Uint8Array([255])] },
    });
    expect(JSON.parse(text)).toEqual({
      n: 5,
      x: 2.5,
      s: "é",
      b: true,
      z: null,
      o: { $oid: "aaaaaaaaaaaaaaaaaaaaaaaa" },
      d: { $date: "2020-01-02T03:04:05Z" },
      ms: { $date: "2020-01-02T03:04:05.678Z" },
      u: {
        $binary: {
          base64: Buffer.from("11111111111141118111111111111111", "hex").toString("base64"),
          subType: "04",
        },
      },
      bytes: { $binary: { base64: "AQID", subType: "00" } },
      dec: { $numberDecimal: "1.50" },
      nested: { list: [{ $binary: { base64: "/w==", subType: "00" } }] },
    });
  });

  it("decodes back to BSON values", () => {
    const doc = decodeDocument(
      encodeDocument({
        o: new ObjectId("aaaaaaaaaaaaaaaaaaaaaaaa"),
        d: new Date(1500),
        u: new UUID("11111111-1111-4111-8111-111111111111"),
        b: new Uint8Array([1]),
      }),
    );
    expect(doc.o).toBeInstanceOf(ObjectId);
    expect(doc.d).toEqual(new Date(1500));
    expect(doc.u).toBeInstanceOf(UUID);
    expect(doc.b).toBeInstanceOf(Binary);
  });
});

/**
 * How filters compare BSON values: by value, not by object identity, for every class the data
 * layer stores, through a real collection (so storage round trips are part of the check).
 */
import { Binary, Decimal128, Long, ObjectId, UUID } from "bson";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataLayer } from "./DataLayer.js";
import { testDataLayer } from "./test-support/testApp.js";
import type { Collection } from "./types.js";

let data: DataLayer;
let things: Collection;
const ids = [
  new ObjectId("65a000000000000000000001"),
  new ObjectId("65a000000000000000000002"),
  new ObjectId("65a000000000000000000003"),
];
const uuid = new UUID();

beforeAll(async () => {
  data = await testDataLayer();
  things = data.system().db("t").collection("things");
  await things.insertMany([
    {
      _id: ids[0],
      at: new Date("2024-01-01"),
      dec: Decimal128.fromString("1.5"),
      u: uuid,
      wide: Long.fromString("9007199254740993"),
      bin: new Binary(Buffer.from("ab")),
    },
    {
      _id: ids[1],
      at: new Date("2024-06-01"),
      dec: Decimal128.fromString("2.5"),
      u: new UUID(),
      wide: 1,
    },
    {
      _id: ids[2],
      at: new Date("2025-01-01"),
      dec: Decimal128.fromString("3.5"),
      u: new UUID(),
      wide: 2,
    },
  ]);
});
afterAll(async () => {
  await data.storage.close();
});

const idsOf = async (filter: Record<string, unknown>) =>
  (await things.find(filter)).map((d) => (d._id as ObjectId).toHexString());
const hex = (i: number) => ids[i]!.toHexString();

describe("BSON values in filters", () => {
  it("matches ObjectIds by value: equality, $in, $nin, $ne", async () => {
    expect(await idsOf({ _id: new ObjectId(hex(1)) })).toEqual([hex(1)]);
    expect(await idsOf({ _id: { $in: [new ObjectId(hex(0)), new ObjectId(hex(2))] } })).toEqual([
      hex(0),
      hex(2),
    ]);
    expect(await idsOf({ _id: { $nin: [new ObjectId(hex(0))] } })).toEqual([hex(1), hex(2)]);
    expect(await idsOf({ _id: { $ne: new ObjectId(hex(0)) } })).toEqual([hex(1), hex(2)]);
    expect(await idsOf({ _id: hex(1) })).toEqual([]);
  });

  it("orders ObjectIds and Dates by value", async () => {
    expect(await idsOf({ _id: { $gt: new ObjectId(hex(0)) } })).toEqual([hex(1), hex(2)]);
    expect(
      await idsOf({ at: { $gte: new Date("2024-06-01"), $lt: new Date("2025-01-01") } }),
    ).toEqual([hex(1)]);
    const sorted = await things.find({}, { sort: { _id: -1 } });
    expect(sorted.map((d) => (d._id as ObjectId).toHexString())).toEqual([hex(2), hex(1), hex(0)]);
  });

  it("matches UUID, Decimal128, wide Long and Binary by value", async () => {
    expect(await idsOf({ u: new UUID(uuid.toHexString()) })).toEqual([hex(0)]);
    expect(await idsOf({ dec: Decimal128.fromString("2.5") })).toEqual([hex(1)]);
    expect(await idsOf({ dec: { $in: [Decimal128.fromString("3.5")] } })).toEqual([hex(2)]);
    expect(await idsOf({ wide: Long.fromString("9007199254740993") })).toEqual([hex(0)]);
    expect(await idsOf({ bin: new Binary(Buffer.from("ab")) })).toEqual([hex(0)]);
  });

  it("orders Decimal128 and wide int64 values numerically, also against plain numbers", async () => {
    const prices = data.system().db("t").collection("prices");
    await prices.insertMany([
      { _id: "nine", p: Decimal128.fromString("9.5"), n: Long.fromString("9007199254740993") },
      { _id: "ten", p: Decimal128.fromString("10"), n: 10 },
      { _id: "list", p: [Decimal128.fromString("1"), Decimal128.fromString("100")] },
    ]);
    const names = async (filter: Record<string, unknown>) =>
      (await prices.find(filter)).map((d) => d._id).sort();
    expect(await names({ p: { $gt: Decimal128.fromString("9.75") } })).toEqual(["list", "ten"]);
    expect(await names({ p: { $lt: Decimal128.fromString("9.75") } })).toEqual(["list", "nine"]);
    // As in MongoDB, each condition may be met by a different element of an array.
    expect(await names({ p: { $gte: 10, $lte: 10 } })).toEqual(["list", "ten"]);
    expect(await names({ p: { $gte: 10, $lte: 10 }, _id: { $ne: "list" } })).toEqual(["ten"]);
    expect(await names({ n: { $gt: Long.fromString("9007199254740992") } })).toEqual(["nine"]);
    expect(await names({ n: { $lte: 10 } })).toEqual(["ten"]);
    expect(await names({ p: Decimal128.fromString("10.00") })).toEqual(["ten"]);
    expect(await names({ p: 9.5 })).toEqual(["nine"]);
    expect(await names({ p: { $in: [1, 2] } })).toEqual(["list"]);
    expect(await names({ p: { $ne: 10 } })).toEqual(["list", "nine"]);
    expect(await names({ p: { $nin: [Decimal128.fromString("9.50"), 100] } })).toEqual(["ten"]);
    expect(await names({ n: Long.fromString("9007199254740993") })).toEqual(["nine"]);
    const byPrice = await prices.find({ _id: { $ne: "list" } }, { sort: { p: -1 } });
    expect(byPrice.map((d) => d._id)).toEqual(["ten", "nine"]);
    const byN = await prices.find(
      { n: { $exists: true } },
      { sort: { n: 1 }, projection: { _id: 1 } },
    );
    expect(byN).toEqual([{ _id: "ten" }, { _id: "nine" }]);
  });

  it("finds any inserted ObjectId through a fresh instance of it (generated ids)", async () => {
    const coll = data.system().db("t").collection("generated");
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{24}$/), { minLength: 1, maxLength: 8 }),
        async (hexes) => {
          await coll.deleteMany({});
          await coll.insertMany(hexes.map((h) => ({ _id: new ObjectId(h) })));
          for (const h of hexes) expect(await coll.count({ _id: new ObjectId(h) })).toBe(1);
          const some = hexes.filter((_, i) => i % 2 === 0);
          expect(await coll.count({ _id: { $in: some.map((h) => new ObjectId(h)) } })).toBe(
            some.length,
          );
        },
      ),
      { numRuns: 30 },
    );
  });
});

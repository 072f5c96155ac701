import { ObjectId } from "bson";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DataLayer } from "./DataLayer.js";
import { testDataLayer } from "./test-support/testApp.js";
import type { ChangeEvent, Collection } from "./types.js";

let data: DataLayer;
let cars: Collection;

beforeEach(async () => {
  data = await testDataLayer();
  cars = data.system().db("cars-db").collection("Car");
  await cars.insertMany([
    { _id: 1, make: "Toyota", miles: 2, tags: ["new"] },
    { _id: 2, make: "Honda", miles: 90000 },
    { _id: 3, make: "Ford", miles: 50, owner: { name: "Ann" } },
  ]);
});
afterEach(async () => {
  await data.storage.close();
});

describe("reads", () => {
  it("find filters, sorts, skips, limits and projects", async () => {
    expect(await cars.find({ miles: { $lt: 100 } })).toHaveLength(2);
    const page = await cars.find(
      {},
      { sort: { miles: -1 }, skip: 1, limit: 1, projection: { make: 1, _id: 0 } },
    );
    expect(page).toEqual([{ make: "Ford" }]);
    expect(
      await cars.find({ "owner.name": "Ann" }, { projection: { miles: 0, owner: 0 } }),
    ).toEqual([{ _id: 3, make: "Ford" }]);
  });

  it("findOne returns the first match or null", async () => {
    expect(await cars.findOne({ make: "Honda" })).toMatchObject({ _id: 2 });
    expect(await cars.findOne({ make: "Tesla" })).toBeNull();
    expect(await cars.findOne({}, { sort: { miles: 1 }, projection: { make: 1 } })).toEqual({
      _id: 1,
      make: "Toyota",
    });
  });

  it("count honours the filter and the limit", async () => {
    expect(await cars.count()).toBe(3);
    expect(await cars.count({ miles: { $gt: 10 } })).toBe(2);
    expect(await cars.count({}, { limit: 2 })).toBe(2);
  });

  it("aggregate runs the supported stages", async () => {
    const result = await cars.aggregate([
      { $match: { miles: { $gte: 2 } } },
      { $addFields: { cheap: { $lt: ["$miles", 100] } } },
      { $group: { _id: "$cheap", n: { $sum: 1 }, total: { $sum: "$miles" } } },
      { $sort: { _id: 1 } },
    ]);
    expect(result).toEqual([
      { _id: false, n: 1, total: 90000 },
      { _id: true, n: 2, total: 52 },
    ]);
    expect(await cars.aggregate([{ $unwind: "$tags" }, { $project: { tags: 1 } }])).toEqual([
      { _id: 1, tags: "new" },
    ]);
    expect(await cars.aggregate([{ $match: { miles: { $gt: 10 } } }, { $count: "n" }])).toEqual([
      { n: 2 },
    ]);
    expect(
      await cars.aggregate([
        { $set: { x: 1 } },
        { $unset: ["miles", "tags", "owner"] },
        { $skip: 2 },
        { $limit: 1 },
      ]),
    ).toEqual([{ _id: 3, make: "Ford", x: 1 }]);
  });

  it("aggregate joins a collection of the same database with $lookup", async () => {
    await data
      .system()
      .db("cars-db")
      .collection("Owner")
      .insertOne({ _id: "o1", car: 1, name: "Bo" });
    const [joined] = await cars.aggregate([
      { $match: { _id: 1 } },
      { $lookup: { from: "Owner", localField: "_id", foreignField: "car", as: "owners" } },
    ]);
    expect(joined?.owners).toEqual([{ _id: "o1", car: 1, name: "Bo" }]);
  });

  it("aggregate refuses stages outside the subset with MongoDBError", async () => {
    await expect(cars.aggregate([{ $out: "x" }])).rejects.toMatchObject({
      code: "MongoDBError",
      message: expect.stringContaining("$out"),
    });
    await expect(cars.aggregate([{ $match: {}, $limit: 1 }])).rejects.toMatchObject({
      code: "MongoDBError",
    });
  });

  it("a malformed filter is a MongoDBError, not a crash", async () => {
    await expect(cars.find({ miles: { $nope: 1 } })).rejects.toMatchObject({
      code: "MongoDBError",
    });
  });
});

describe("inserts", () => {
  it("generates an ObjectId _id when missing and returns it", async () => {
    const { insertedId } = await cars.insertOne({ make: "Kia" });
    expect(insertedId).toBeInstanceOf(ObjectId);
    expect(
      await cars.findOne({ _id: new ObjectId((insertedId as ObjectId).toHexString()) }),
    ).toMatchObject({ make: "Kia" });
  });

  it("refuses $-prefixed field names at any depth, which could not be read back", async () => {
    await expect(cars.insertOne({ a: { $oid: "zz" } })).rejects.toMatchObject({
      code: "MongoDBError",
      message: expect.stringContaining("a.$oid"),
    });
    await expect(
      cars.updateOne({ _id: 1 }, { $set: { list: [{ $date: "x" }] } }),
    ).rejects.toMatchObject({ code: "MongoDBError" });
    await expect(
      cars.findOneAndReplace({ _id: 1 }, { n: { $numberLong: "x" } }),
    ).rejects.toMatchObject({ code: "MongoDBError" });
    expect(await cars.count()).toBe(3);
  });

  it("insertMany returns ids in order and is all-or-nothing on a duplicate", async () => {
    const { insertedIds } = await cars.insertMany([{ _id: 10 }, { make: "x" }]);
    expect(insertedIds[0]).toBe(10);
    await expect(cars.insertMany([{ _id: 11 }, { _id: 1 }])).rejects.toMatchObject({
      code: "MongoDBError",
      message: expect.stringContaining("E11000 duplicate key"),
    });
    expect(await cars.findOne({ _id: 11 })).toBeNull();
  });
});

describe("updates", () => {
  it("updateOne applies operators to the first match and reports counts", async () => {
    const result = await cars.updateOne(
      { miles: { $lt: 100 } },
      { $inc: { miles: 1 }, $set: { checked: true } },
    );
    expect(result).toEqual({ matchedCount: 1, modifiedCount: 1 });
    expect(await cars.findOne({ _id: 1 })).toMatchObject({ miles: 3, checked: true });
  });

  it("updateMany counts matched and actually modified documents", async () => {
    await cars.updateOne({ _id: 1 }, { $set: { make: "Same" } });
    const result = await cars.updateMany({}, { $set: { make: "Same" } });
    expect(result).toEqual({ matchedCount: 3, modifiedCount: 2 });
    expect(await cars.count({ make: "Same" })).toBe(3);
  });

  it("supports push, pull, addToSet, unset, rename, min, max, mul and arrayFilters", async () => {
    await cars.updateOne({ _id: 1 }, { $push: { tags: "a" } });
    await cars.updateOne({ _id: 1 }, { $addToSet: { tags: "a" } });
    await cars.updateOne({ _id: 1 }, { $pull: { tags: "new" } });
    await cars.updateOne({ _id: 2 }, { $unset: { miles: "" }, $rename: { make: "brand" } });
    await cars.updateOne({ _id: 3 }, { $min: { miles: 10 }, $mul: { score: 2 } });
    await cars.updateOne(
      { _id: 1 },
      { $set: { "tags.$[t]": "A" } },
      { arrayFilters: [{ t: "a" }] },
    );
    expect(await cars.find({}, { sort: { _id: 1 } })).toMatchObject([
      { _id: 1, tags: ["A"] },
      { _id: 2, brand: "Honda" },
      { _id: 3, miles: 10, score: 0 },
    ]);
    expect((await cars.findOne({ _id: 2 }))?.miles).toBeUndefined();
  });

  it("upserts copy filter equality fields, apply $setOnInsert, and report upsertedId", async () => {
    const result = await cars.updateOne(
      { make: "Tesla", "spec.doors": 4, miles: { $gt: 5 } },
      { $set: { color: "red" }, $setOnInsert: { createdBy: "upsert" } },
      { upsert: true },
    );
    expect(result.matchedCount).toBe(0);
    expect(result.upsertedId).toBeInstanceOf(ObjectId);
    const created = await cars.findOne({ make: "Tesla" });
    expect(created).toMatchObject({
      make: "Tesla",
      spec: { doors: 4 },
      color: "red",
      createdBy: "upsert",
    });
    expect(created?.miles).toBeUndefined();
    await cars.updateOne(
      { make: "Tesla" },
      { $set: { color: "blue" }, $setOnInsert: { createdBy: "again" } },
      { upsert: true },
    );
    expect(await cars.findOne({ make: "Tesla" })).toMatchObject({
      color: "blue",
      createdBy: "upsert",
    });
  });

  it("upserts with the seeds' custom user data pattern keep the user id", async () => {
    const cud = data.system().db("custom-user-data-database").collection("custom-user-data");
    await cud.updateOne(
      { userId: "u1" },
      { $set: { userId: "u1", favoriteFood: "pizza" } },
      { upsert: true },
    );
    await cud.updateOne({ userId: "u1" }, { $set: { favoriteFood: "pasta" } }, { upsert: true });
    expect(await cud.find({}, { projection: { _id: 0 } })).toEqual([
      { userId: "u1", favoriteFood: "pasta" },
    ]);
  });

  it("refuses replacement-style updates and _id changes", async () => {
    await expect(cars.updateOne({ _id: 1 }, { make: "x" })).rejects.toMatchObject({
      code: "MongoDBError",
    });
    await expect(cars.updateOne({ _id: 1 }, { $set: { _id: 5 } })).rejects.toMatchObject({
      code: "MongoDBError",
    });
    await expect(cars.updateOne({ _id: 1 }, { $bogus: { a: 1 } })).rejects.toMatchObject({
      code: "MongoDBError",
    });
  });

  it("concurrent increments are never lost", async () => {
    await Promise.all(
      Array.from({ length: 20 }, () => cars.updateOne({ _id: 1 }, { $inc: { miles: 1 } })),
    );
    expect((await cars.findOne({ _id: 1 }))?.miles).toBe(22);
  });
});

describe("findOneAnd*", () => {
  it("findOneAndUpdate returns the document before, or after with returnNewDocument", async () => {
    expect(await cars.findOneAndUpdate({ _id: 2 }, { $inc: { miles: 1 } })).toMatchObject({
      miles: 90000,
    });
    expect(
      await cars.findOneAndUpdate(
        { _id: 2 },
        { $inc: { miles: 1 } },
        { returnNewDocument: true, projection: { miles: 1 } },
      ),
    ).toEqual({
      _id: 2,
      miles: 90002,
    });
    expect(await cars.findOneAndUpdate({ _id: 99 }, { $set: { a: 1 } })).toBeNull();
    expect(
      await cars.findOneAndUpdate(
        { _id: 99 },
        { $set: { a: 1 } },
        { upsert: true, returnNewDocument: true },
      ),
    ).toEqual({ _id: 99, a: 1 });
  });

  it("findOneAndUpdate honours sort", async () => {
    const doc = await cars.findOneAndUpdate(
      {},
      { $set: { picked: true } },
      { sort: { miles: -1 } },
    );
    expect(doc?._id).toBe(2);
  });

  it("findOneAndReplace replaces everything but _id", async () => {
    const before = await cars.findOneAndReplace({ _id: 3 }, { make: "Fiat" });
    expect(before).toMatchObject({ make: "Ford" });
    expect(await cars.findOne({ _id: 3 })).toEqual({ _id: 3, make: "Fiat" });
    await expect(cars.findOneAndReplace({ _id: 3 }, { $set: { a: 1 } })).rejects.toMatchObject({
      code: "MongoDBError",
    });
  });

  it("findOneAndDelete removes and returns the first sorted match", async () => {
    expect(
      await cars.findOneAndDelete({ miles: { $lt: 100 } }, { sort: { miles: -1 } }),
    ).toMatchObject({ _id: 3 });
    expect(await cars.count()).toBe(2);
    expect(await cars.findOneAndDelete({ _id: 3 })).toBeNull();
  });
});

describe("deletes", () => {
  it("deleteOne deletes one, deleteMany all matches", async () => {
    expect(await cars.deleteOne({ miles: { $lt: 100 } })).toEqual({ deletedCount: 1 });
    expect(await cars.deleteMany({})).toEqual({ deletedCount: 2 });
    expect(await cars.count()).toBe(0);
  });
});

describe("watch", () => {
  async function take(stream: AsyncIterable<ChangeEvent>, n: number): Promise<ChangeEvent[]> {
    const out: ChangeEvent[] = [];
    for await (const event of stream) {
      out.push(event);
      if (out.length === n) break;
    }
    return out;
  }

  it("streams inserts, updates, replaces and deletes of the collection in order", async () => {
    const stream = cars.watch();
    const events = take(stream, 4);
    await data.system().db("cars-db").collection("Other").insertOne({ _id: 1 });
    await cars.insertOne({ _id: 4, make: "Kia" });
    await cars.updateOne({ _id: 4 }, { $set: { miles: 1 } });
    await cars.findOneAndReplace({ _id: 4 }, { make: "Mini" });
    await cars.deleteOne({ _id: 4 });
    const seen = await events;
    expect(seen.map((e) => e.operationType)).toEqual(["insert", "update", "replace", "delete"]);
    expect(seen[0]).toMatchObject({
      ns: { db: "cars-db", coll: "Car" },
      documentKey: { _id: 4 },
      fullDocument: { _id: 4, make: "Kia" },
    });
    expect(seen[1]?.updateDescription).toEqual({ updatedFields: { miles: 1 }, removedFields: [] });
    expect(seen[3]).not.toHaveProperty("fullDocumentBeforeChange");
    expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((a, b) => a - b));
  });

  it("filters by ids and by a $match over events", async () => {
    const byId = take(cars.watch({ ids: [2] }), 1);
    const byFilter = take(cars.watch({ filter: { "fullDocument.make": "Mazda" } }), 1);
    await cars.updateOne({ _id: 1 }, { $set: { make: "Mazda" } });
    await cars.updateOne({ _id: 2 }, { $set: { miles: 1 } });
    expect((await byId)[0]?.documentKey._id).toBe(2);
    expect((await byFilter)[0]?.documentKey._id).toBe(1);
  });

  it("ends iteration when the storage engine closes", async () => {
    const done = take(cars.watch(), 10);
    await data.storage.close();
    expect(await done).toEqual([]);
  });

  it("ends iteration when closed", async () => {
    const stream = cars.watch();
    const done = take(stream, 10);
    stream.close();
    expect(await done).toEqual([]);
  });
});

describe("change feed", () => {
  it("records every write in order, one event per changed document, and none for __atoll", async () => {
    const start = await data.storage.lastSeq();
    await cars.updateMany({ miles: { $lt: 100 } }, { $set: { checked: true } });
    await cars.updateOne({ _id: 2 }, { $set: { make: "Honda" } });
    await data.system().db("__atoll").collection("sessions").insertOne({ _id: "s" });
    await cars.deleteOne({ _id: 3 });
    const changes = await data.storage.changesSince(start);
    expect(changes.map((c) => [c.operationType, c.documentKey._id])).toEqual([
      ["update", 1],
      ["update", 3],
      ["delete", 3],
    ]);
    expect(changes[0]?.updateDescription).toEqual({
      updatedFields: { checked: true },
      removedFields: [],
    });
  });
});

describe("services", () => {
  it("unknown service names are ServiceNotFound", () => {
    expect(() => data.system("nope")).toThrow(expect.objectContaining({ code: "ServiceNotFound" }));
    expect(() =>
      data.forUser(
        { id: "u", type: "normal", data: {}, custom_data: {}, identities: [] },
        { service: "nope" },
      ),
    ).toThrow(expect.objectContaining({ code: "ServiceNotFound" }));
    expect(() => data.system("mongodb-atlas")).not.toThrow();
  });

  it("bad database names are InvalidParameter", () => {
    expect(() => data.system().db("")).toThrow(
      expect.objectContaining({ code: "InvalidParameter" }),
    );
    expect(() => data.system().db("a.b")).toThrow(
      expect.objectContaining({ code: "InvalidParameter" }),
    );
  });
});

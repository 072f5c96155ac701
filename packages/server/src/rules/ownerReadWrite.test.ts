/**
 * The seeds' `owner-read-write` role, loaded verbatim from examples/cars: users see and change
 * their own cars only, and the Car schema.json checks their writes.
 */
import { ObjectId } from "bson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAppConfig } from "../config/loadAppConfig.js";
import { CARS_APP_DIR } from "../config/test-support/appFixture.js";
import { DataLayer } from "../data/DataLayer.js";
import { testUser } from "../data/test-support/testApp.js";
import type { Collection } from "../data/types.js";
import { openStorage } from "../storage/openStorage.js";

let data: DataLayer;
const ann = testUser("a".repeat(24));
const bob = testUser("b".repeat(24));
const annCar = { _id: new ObjectId(), ownerId: ann.id, make: "Toyota", miles: 2 };
const bobCar = { _id: new ObjectId(), ownerId: bob.id, make: "Ford", miles: 90000 };
const carsOf = (user: typeof ann): Collection => data.forUser(user).db("cars-db").collection("Car");

beforeAll(async () => {
  data = new DataLayer(await openStorage("memory"), await loadAppConfig(CARS_APP_DIR));
  await data.system().db("cars-db").collection("Car").insertMany([annCar, bobCar]);
});
afterAll(async () => {
  await data.storage.close();
});

describe("owner-read-write (seeds, verbatim)", () => {
  it("shows a user their own documents and hides others'", async () => {
    expect(await carsOf(ann).find()).toEqual([annCar]);
    expect(await carsOf(bob).find({}, { projection: { make: 1 } })).toEqual([
      { _id: bobCar._id, make: "Ford" },
    ]);
    expect(await carsOf(ann).findOne({ _id: bobCar._id })).toBeNull();
    expect(await carsOf(ann).count()).toBe(1);
    expect(
      await carsOf(ann).aggregate([{ $group: { _id: null, miles: { $sum: "$miles" } } }]),
    ).toEqual([{ _id: null, miles: 2 }]);
  });

  it("lets a user insert and update their own documents", async () => {
    const { insertedId } = await carsOf(ann).insertOne({
      ownerId: ann.id,
      make: "Honda",
      miles: 5,
    });
    expect(await carsOf(ann).updateOne({ _id: insertedId }, { $inc: { miles: 1 } })).toEqual({
      matchedCount: 1,
      modifiedCount: 1,
    });
    expect(await carsOf(ann).deleteOne({ _id: insertedId })).toEqual({ deletedCount: 1 });
  });

  it("denies writes for others: inserting for someone else, or giving a car away", async () => {
    await expect(carsOf(ann).insertOne({ ownerId: bob.id, make: "Fiat" })).rejects.toMatchObject({
      code: "NoMatchingRuleFound",
    });
    await expect(
      carsOf(ann).updateOne({ _id: annCar._id }, { $set: { ownerId: bob.id } }),
    ).rejects.toMatchObject({
      code: "NoMatchingRuleFound",
      message: expect.stringContaining("owner-read-write"),
    });
    expect(
      (await data.system().db("cars-db").collection("Car").findOne({ _id: annCar._id }))?.ownerId,
    ).toBe(ann.id);
  });

  it("makes others' documents unreachable for updates and deletes", async () => {
    expect(await carsOf(ann).updateMany({}, { $set: { make: "Mine" } })).toEqual({
      matchedCount: 1,
      modifiedCount: 1,
    });
    expect(await carsOf(ann).deleteMany({ _id: bobCar._id })).toEqual({ deletedCount: 0 });
    expect(
      await carsOf(ann).findOneAndUpdate({ _id: bobCar._id }, { $set: { make: "x" } }),
    ).toBeNull();
    expect(
      (await data.system().db("cars-db").collection("Car").findOne({ _id: bobCar._id }))?.make,
    ).toBe("Ford");
  });

  it("validates user writes against the Car schema.json, naming the field", async () => {
    await expect(
      carsOf(ann).insertOne({ ownerId: ann.id, make: "Kia", miles: "many" }),
    ).rejects.toMatchObject({
      code: "SchemaValidationFailedWrite",
      message: expect.stringContaining('"miles"'),
    });
    await expect(carsOf(ann).insertOne({ ownerId: ann.id })).rejects.toMatchObject({
      code: "SchemaValidationFailedWrite",
      message: expect.stringContaining('"make"'),
    });
    await expect(
      carsOf(ann).updateOne({ _id: annCar._id }, { $set: { miles: 1.5 } }),
    ).rejects.toMatchObject({
      code: "SchemaValidationFailedWrite",
    });
  });

  it("hides the other user's upsert target instead of overwriting it", async () => {
    await expect(
      carsOf(ann).updateOne({ _id: bobCar._id }, { $set: { miles: 1 } }, { upsert: true }),
    ).rejects.toMatchObject({
      code: "NoMatchingRuleFound",
    });
    await expect(
      carsOf(ann).updateOne(
        { _id: bobCar._id },
        { $set: { ownerId: ann.id, make: "Stolen" } },
        { upsert: true },
      ),
    ).rejects.toMatchObject({
      code: "MongoDBError",
      message: expect.stringContaining("E11000"),
    });
  });

  it("streams only the user's own changes through watch", async () => {
    const stream = carsOf(bob).watch();
    const first = (async () => {
      for await (const event of stream) return event;
      return undefined;
    })();
    await carsOf(ann).updateOne({ _id: annCar._id }, { $set: { miles: 7 } });
    await carsOf(bob).updateOne({ _id: bobCar._id }, { $set: { miles: 8 } });
    expect((await first)?.documentKey._id).toEqual(bobCar._id);
    stream.close();
  });
});

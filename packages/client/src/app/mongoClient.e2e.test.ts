/**
 * MongoDB data access as a user on examples/cars: the `Car` collection's `owner-read-write`
 * role lets each user read and write only its own cars.
 */
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { rejectionOf, useApps } from "../test-support/appClients.js";
import { useAppServer } from "../test-support/appServer.js";
import { Credentials } from "./Credentials.js";
import type { User } from "./User.js";

const server = useAppServer();
const newApp = useApps();

interface Car extends Record<string, unknown> {
  _id: ObjectId;
  ownerId: string;
  make: string;
  model?: string;
  miles?: number;
}

function cars(user: User) {
  return user.mongoClient("mongodb-atlas").db("cars-db").collection<Car>("Car");
}

describe("user.mongoClient", () => {
  it("reads and writes the user's own documents with every action", async () => {
    const user = await newApp(server()).logIn(Credentials.anonymous());
    const collection = cars(user);
    expect(collection).toMatchObject({
      serviceName: "mongodb-atlas",
      databaseName: "cars-db",
      name: "Car",
    });
    const first = new ObjectId();
    expect(
      await collection.insertOne({ _id: first, ownerId: user.id, make: "Volvo", miles: 10 }),
    ).toEqual({ insertedId: first });
    const { insertedIds } = await collection.insertMany([
      { _id: new ObjectId(), ownerId: user.id, make: "Saab", miles: 20 },
      { _id: new ObjectId(), ownerId: user.id, make: "Fiat", miles: 30 },
    ]);
    expect(insertedIds).toHaveLength(2);

    expect(await collection.count()).toBe(3);
    expect(await collection.count({}, { limit: 2 })).toBe(2);
    const sorted = await collection.find(
      {},
      { sort: { miles: -1 }, projection: { make: 1 }, limit: 2 },
    );
    expect(sorted.map((car) => car.make)).toEqual(["Fiat", "Saab"]);
    expect(sorted[0]?.miles).toBeUndefined();
    expect((await collection.findOne({ make: "Volvo" }))?._id).toEqual(first);

    expect(await collection.updateOne({ make: "Volvo" }, { $set: { model: "240" } })).toEqual({
      matchedCount: 1,
      modifiedCount: 1,
    });
    expect(await collection.updateMany({}, { $inc: { miles: 1 } })).toMatchObject({
      matchedCount: 3,
    });
    const updated = await collection.findOneAndUpdate(
      { make: "Volvo" },
      { $set: { miles: 100 } },
      { returnNewDocument: true },
    );
    expect(updated).toMatchObject({ make: "Volvo", model: "240", miles: 100 });
    const replaced = await collection.findOneAndReplace(
      { make: "Saab" },
      { ownerId: user.id, make: "Saab", model: "900" },
      { returnNewDocument: true },
    );
    expect(replaced).toMatchObject({ make: "Saab", model: "900" });
    expect(
      await collection.aggregate([{ $group: { _id: null, total: { $sum: "$miles" } } }]),
    ).toEqual([{ _id: null, total: 131 }]);
    expect(await collection.findOneAndDelete({ make: "Fiat" })).toMatchObject({ make: "Fiat" });
    expect(await collection.deleteOne({ make: "Saab" })).toEqual({ deletedCount: 1 });
    expect(await collection.deleteMany({})).toEqual({ deletedCount: 1 });
    expect(await collection.find()).toEqual([]);
  });

  it("keeps users to their own documents, as the role says", async () => {
    const ann = await newApp(server()).logIn(Credentials.anonymous());
    const bob = await newApp(server()).logIn(Credentials.anonymous());
    await cars(ann).insertOne({ _id: new ObjectId(), ownerId: ann.id, make: "Ann's car" });
    expect(await cars(bob).find()).toEqual([]);
    expect(await cars(bob).updateMany({}, { $set: { make: "stolen" } })).toMatchObject({
      matchedCount: 0,
    });
    expect((await cars(ann).find()).map((car) => car.make)).toEqual(["Ann's car"]);
    const forged = await rejectionOf(
      cars(bob).insertOne({ _id: new ObjectId(), ownerId: ann.id, make: "forged" }),
    );
    expect(forged).toMatchObject({ statusCode: 403, errorCode: "NoMatchingRuleFound" });
    expect((await cars(ann).find()).map((car) => car.make)).toEqual(["Ann's car"]);
  });
});

/**
 * `collection.watch()` and the streaming function calls against a real server on
 * examples/cars (each user reads and writes only its own cars). A stream is subscribed only
 * once its request is answered, which `watch()` does not expose: the tests insert until the
 * first event arrives, then every later change is in the stream, in order.
 */
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { rejectionOf, useApps } from "../test-support/appClients.js";
import { useAppServer } from "../test-support/appServer.js";
import { AppError } from "./AppError.js";
import { Credentials } from "./Credentials.js";
import type { ChangeEvent } from "./MongoDBCollection.js";
import type { User } from "./User.js";

const server = useAppServer();
const newApp = useApps();

interface Car extends Record<string, unknown> {
  _id: ObjectId;
  ownerId: string;
  make: string;
  miles?: number;
}

function cars(user: User) {
  return user.mongoClient("mongodb-atlas").db("cars-db").collection<Car>("Car");
}

/** Inserts warm-up cars until the stream's first event (one of them) arrives. */
async function firstEvent(
  user: User,
  events: AsyncIterator<ChangeEvent<Car>>,
  make = "Warm-up",
): Promise<ChangeEvent<Car>> {
  const next = events.next();
  for (;;) {
    const inserted = cars(user).insertOne({ _id: new ObjectId(), ownerId: user.id, make });
    const outcome = await Promise.race([next, inserted.then(() => undefined)]);
    if (outcome !== undefined) {
      await inserted;
      if (outcome.done === true) throw new Error("the stream ended");
      return outcome.value;
    }
  }
}

describe("MongoDBCollection.watch", () => {
  it("streams the user's changes as change events with BSON values, until the loop is left", async () => {
    const user = await newApp(server()).logIn(Credentials.anonymous(false));
    const other = await newApp(server()).logIn(Credentials.anonymous(false));
    const collection = cars(user);
    const events = collection.watch();
    const warmUp = await firstEvent(user, events);
    expect(warmUp).toMatchObject({
      operationType: "insert",
      ns: { db: "cars-db", coll: "Car" },
      fullDocument: { ownerId: user.id, make: "Warm-up" },
    });
    expect(warmUp.documentKey._id).toBeInstanceOf(ObjectId);

    const id = new ObjectId();
    // Another user's car is outside this user's read rule: it never shows.
    await cars(other).insertOne({ _id: new ObjectId(), ownerId: other.id, make: "Hidden" });
    await collection.insertOne({ _id: id, ownerId: user.id, make: "Volvo", miles: 5 });
    await collection.updateOne({ _id: id }, { $set: { miles: 6 } });
    await collection.deleteOne({ _id: id });
    const seen: ChangeEvent<Car>[] = [];
    for await (const event of { [Symbol.asyncIterator]: () => events }) {
      if (event.fullDocument?.make === "Warm-up") continue;
      seen.push(event);
      if (event.operationType === "delete") break;
    }
    expect(seen.map((event) => event.operationType)).toEqual(["insert", "update", "delete"]);
    expect(seen[0]?.fullDocument).toEqual({ _id: id, ownerId: user.id, make: "Volvo", miles: 5 });
    expect(seen[1]?.updateDescription?.updatedFields).toEqual({ miles: 6 });
    expect(seen.every((event) => (event.documentKey._id as ObjectId).equals(id))).toBe(true);
    // Leaving the loop ended the stream; the user's other requests go on.
    expect(await events.next()).toEqual({ done: true, value: undefined });
    expect(await collection.count({ _id: id })).toBe(0);
  });

  it("narrows the stream with a filter", async () => {
    const user = await newApp(server()).logIn(Credentials.anonymous(false));
    const collection = cars(user);
    const events = collection.watch({
      filter: { "fullDocument.make": { $in: ["Warm-up", "Saab"] } },
    });
    await firstEvent(user, events);
    await collection.insertOne({ _id: new ObjectId(), ownerId: user.id, make: "Fiat" });
    await collection.insertOne({ _id: new ObjectId(), ownerId: user.id, make: "Saab" });
    let event = await events.next();
    while (event.done !== true && event.value.fullDocument?.make === "Warm-up")
      event = await events.next();
    expect(event.done === true ? undefined : event.value.fullDocument?.make).toBe("Saab");
    await events.return(undefined);
  });

  it("refuses a stream of anything but watch, with the server's error", async () => {
    const user = await newApp(server()).logIn(Credentials.anonymous(false));
    const refused = await rejectionOf(
      user.functions.callFunctionStreaming("writeCustomUserData", {}),
    );
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({
      statusCode: 400,
      errorCode: "InvalidParameter",
      message: "only the 'watch' service action can be streamed",
    });
    const unknownService = await rejectionOf(
      user.mongoClient("no-such-service").db("cars-db").collection("Car").watch().next(),
    );
    expect(unknownService).toBeInstanceOf(AppError);
    expect((unknownService as AppError).statusCode).toBeGreaterThanOrEqual(400);
  });

  it("streams the raw server-sent events with user.callFunctionStreaming", async () => {
    const user = await newApp(server()).logIn(Credentials.anonymous(false));
    const bytes = await user.callFunctionStreaming("watch", "mongodb-atlas", {
      database: "cars-db",
      collection: "Car",
    });
    // The request is answered: the stream is subscribed, so this insert is in it.
    const id = new ObjectId();
    await cars(user).insertOne({ _id: id, ownerId: user.id, make: "Raw" });
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of bytes) {
      text += decoder.decode(chunk, { stream: true });
      if (text.includes("\n\ndata: ") && text.endsWith("\n\n")) break;
    }
    expect(text.startsWith(": subscribed\n\n")).toBe(true);
    expect(text).toContain(`"make":"Raw"`);
    expect(text).toContain(id.toHexString());
  });
});

/**
 * An unmodified realm-web 2.0.1 client against a real AtollServer (real storage, data layer,
 * rules and sandbox), changing only its base URL: every auth provider, the email/password
 * flows, API keys, custom user data through the seeds' function, data access under the seeds'
 * `owner-read-write` role, and watch.
 */
import { deserializeEjson } from "@atoll/protocol";
import { Long } from "bson";
import * as Realm from "realm-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { AtollServer } from "../AtollServer.js";
import { TEST_APP_DIR } from "./test-support/standInServer.js";

let server: AtollServer;

beforeAll(async () => {
  server = await AtollServer.start({
    appDir: TEST_APP_DIR,
    port: 0,
    storage: "memory",
    logLevel: "silent",
    functionTimeoutMs: 10_000,
  });
});
afterAll(async () => {
  await server.close();
});

function newApp(): Realm.App {
  return new Realm.App({ id: server.appId, baseUrl: server.url });
}

/** The token a pending confirmation or reset function left in the outbox. */
async function outboxToken(
  kind: "confirm" | "reset",
  username: string,
): Promise<{ token: string; tokenId: string }> {
  const entry = await server.data
    .system()
    .db("mail")
    .collection("outbox")
    .findOne({ kind, username }, { sort: { _id: -1 } });
  expect(entry).not.toBeNull();
  return { token: String(entry?.token), tokenId: String(entry?.tokenId) };
}

async function rejection(
  promise: Promise<unknown>,
): Promise<{ statusCode?: number; errorCode?: string; error?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { statusCode?: number; errorCode?: string; error?: string; message: string };
  }
  throw new Error("expected the promise to reject");
}

describe("realm-web: logging in", () => {
  it("logs in anonymously, reads the profile, calls a function and logs out", async () => {
    const app = newApp();
    const user = await app.logIn(Realm.Credentials.anonymous(false));
    expect(user.id).toMatch(/^[0-9a-f]{24}$/);
    expect(user.providerType).toBe("anon-user");
    expect(user.profile).toEqual({});
    expect(await user.functions.sum!(2, 3)).toBe(5);
    expect(await user.callFunction("sum", 0.5, 0.25)).toBe(0.75);
    await user.logOut();
    expect(user.isLoggedIn).toBe(false);
  });

  it("registers, confirms (by function or token) and logs in with email/password", async () => {
    const app = newApp();
    await app.emailPasswordAuth.registerUser({ email: "ann@example.com", password: "pizza-lover" });
    const ann = await app.logIn(Realm.Credentials.emailPassword("ann@example.com", "pizza-lover"));
    expect(ann.profile.email).toBe("ann@example.com");

    await app.emailPasswordAuth.registerUser({ email: "pat@pending.org", password: "pending-pat" });
    const unconfirmed = await rejection(
      app.logIn(Realm.Credentials.emailPassword("pat@pending.org", "pending-pat")),
    );
    expect(unconfirmed.statusCode).toBe(401);
    await app.emailPasswordAuth.retryCustomConfirmation({ email: "pat@pending.org" });
    await app.emailPasswordAuth.resendConfirmationEmail({ email: "pat@pending.org" });
    await app.emailPasswordAuth.confirmUser(await outboxToken("confirm", "pat@pending.org"));
    const pat = await app.logIn(Realm.Credentials.emailPassword("pat@pending.org", "pending-pat"));
    expect(pat.profile.email).toBe("pat@pending.org");

    const blocked = await rejection(
      app.emailPasswordAuth.registerUser({ email: "x@blocked.example", password: "secret-1" }),
    );
    expect(blocked.error).toBe('failed to confirm user "x@blocked.example"');
    const duplicate = await rejection(
      app.emailPasswordAuth.registerUser({ email: "ann@example.com", password: "again-and-again" }),
    );
    expect(duplicate.errorCode).toBe("AccountNameInUse");
    const wrong = await rejection(
      app.logIn(Realm.Credentials.emailPassword("ann@example.com", "not-her-password")),
    );
    expect(wrong).toMatchObject({ statusCode: 401, errorCode: "InvalidPassword" });
  });

  it("resets a password through the reset function, at once or with a token", async () => {
    const app = newApp();
    await app.emailPasswordAuth.registerUser({
      email: "rita@example.com",
      password: "first-password",
    });
    await app.emailPasswordAuth.callResetPasswordFunction(
      { email: "rita@example.com", password: "second-password" },
      "blue",
    );
    await app.logIn(Realm.Credentials.emailPassword("rita@example.com", "second-password"));
    await app.emailPasswordAuth.callResetPasswordFunction(
      { email: "rita@example.com", password: "ignored-password" },
      "ask-later",
    );
    await app.emailPasswordAuth.resetPassword({
      ...(await outboxToken("reset", "rita@example.com")),
      password: "third-password",
    });
    await app.logIn(Realm.Credentials.emailPassword("rita@example.com", "third-password"));
    const failed = await rejection(
      app.emailPasswordAuth.callResetPasswordFunction(
        { email: "rita@example.com", password: "fourth-password" },
        "red",
      ),
    );
    expect(failed.statusCode).toBe(400);
    const byEmail = await rejection(
      app.emailPasswordAuth.sendResetPasswordEmail({ email: "rita@example.com" }),
    );
    expect(byEmail).toMatchObject({
      statusCode: 400,
      error: "please use reset password via function",
    });
  });

  it("creates user API keys and logs in with one", async () => {
    const app = newApp();
    await app.emailPasswordAuth.registerUser({ email: "keys@example.com", password: "key-holder" });
    const owner = await app.logIn(
      Realm.Credentials.emailPassword("keys@example.com", "key-holder"),
    );
    const created = await owner.apiKeys.create("laptop");
    expect(created).toMatchObject({ name: "laptop", disabled: false, key: expect.any(String) });
    expect(await owner.apiKeys.fetchAll()).toEqual([
      { _id: created._id, name: "laptop", disabled: false },
    ]);
    const viaKey = await newApp().logIn(Realm.Credentials.apiKey(created.key));
    expect(viaKey.id).toBe(owner.id);
    await owner.apiKeys.disable(created._id);
    expect((await owner.apiKeys.fetch(created._id)).disabled).toBe(true);
    expect(
      (await rejection(newApp().logIn(Realm.Credentials.apiKey(created.key)))).statusCode,
    ).toBe(401);
    await owner.apiKeys.enable(created._id);
    await owner.apiKeys.delete(created._id);
    expect(await owner.apiKeys.fetchAll()).toEqual([]);
  });

  it("logs in with a custom JWT, mapping its metadata fields into the profile", async () => {
    const token = await new SignJWT({
      aud: "atoll-http-test",
      email: "jwt@example.com",
      profile: { nickname: "jay" },
    })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("external-42")
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode("a-shared-secret-for-custom-jwt-tests-0123456789"));
    const app = newApp();
    const user = await app.logIn(Realm.Credentials.jwt(token));
    expect(user.profile).toMatchObject({ email: "jwt@example.com", nickname: "jay" });
    expect((await newApp().logIn(Realm.Credentials.jwt(token))).id).toBe(user.id);
    const forged = await new SignJWT({ aud: "atoll-http-test", email: "x" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("x")
      .sign(new TextEncoder().encode("wrong-secret-wrong-secret-wrong-secret"));
    expect((await rejection(newApp().logIn(Realm.Credentials.jwt(forged)))).statusCode).toBe(401);
  });

  it("logs in through the custom authentication function; its throw is a 401 with the message", async () => {
    const app = newApp();
    const user = await app.logIn(Realm.Credentials.function({ username: "kim", pin: "1234" }));
    expect(
      (await newApp().logIn(Realm.Credentials.function({ username: "kim", pin: "1234" }))).id,
    ).toBe(user.id);
    const refused = await rejection(
      app.logIn(Realm.Credentials.function({ username: "kim", pin: "0000" })),
    );
    expect(refused.statusCode).toBe(401);
    expect(refused.error).toBe("wrong pin for kim");
  });

  it("links an email/password identity to an anonymous user, and deletes users", async () => {
    const app = newApp();
    const user = await app.logIn(Realm.Credentials.anonymous(false));
    await app.emailPasswordAuth.registerUser({
      email: "linker@example.com",
      password: "link-me-up",
    });
    await user.linkCredentials(Realm.Credentials.emailPassword("linker@example.com", "link-me-up"));
    expect(user.identities.map((identity) => identity.providerType)).toEqual([
      "anon-user",
      "local-userpass",
    ]);
    const again = await newApp().logIn(
      Realm.Credentials.emailPassword("linker@example.com", "link-me-up"),
    );
    expect(again.id).toBe(user.id);
    await app.deleteUser(user);
    expect(
      (
        await rejection(
          newApp().logIn(Realm.Credentials.emailPassword("linker@example.com", "link-me-up")),
        )
      ).statusCode,
    ).toBe(401);
  });
});

describe("realm-web: functions and custom user data", () => {
  it("reads custom user data from the token, writes it with the seeds' function and sees it after refreshCustomData", async () => {
    const user = await newApp().logIn(Realm.Credentials.anonymous(false));
    expect(user.customData).toMatchObject({ userId: user.id, plan: "free" });
    const updatedTimestamp = Date.now();
    const result = (await user.functions.callFunction("writeCustomUserData", {
      userId: user.id,
      favoriteFood: "pizza",
      lastUpdated: updatedTimestamp,
    })) as {
      matchedCount: number;
    };
    expect(result.matchedCount).toBe(1);
    const customData = await user.refreshCustomData();
    expect(customData).toMatchObject({
      userId: user.id,
      favoriteFood: "pizza",
      lastUpdated: updatedTimestamp,
      plan: "free",
    });
    expect(user.customData).toMatchObject({ favoriteFood: "pizza" });
  });

  it("keeps an int64 beyond 2^53 and a date exact in custom user data, everything else plain JSON", async () => {
    const user = await newApp().logIn(Realm.Credentials.anonymous(false));
    await server.data
      .system()
      .db("custom-user-data-database")
      .collection("custom-user-data")
      .updateOne(
        { userId: user.id },
        {
          $set: {
            big: Long.fromString("1152921504606846977"),
            small: Long.fromNumber(42),
            ratio: 0.5,
            seen: new Date(1765100000123),
          },
        },
      );
    const customData = await user.refreshCustomData();
    expect(customData).toMatchObject({
      userId: user.id,
      plan: "free",
      small: 42,
      ratio: 0.5,
      big: { $numberLong: "1152921504606846977" },
      // Canonical, the one form realm-core (the native SDKs) reads as a date.
      seen: { $date: { $numberLong: "1765100000123" } },
    });
    // An EJSON reader (the Atoll client) gets the exact values back.
    expect(deserializeEjson(customData)).toMatchObject({
      big: Long.fromString("1152921504606846977"),
      small: 42,
      seen: new Date(1765100000123),
    });
  });

  it("passes function errors to the client: unknown, private, thrown", async () => {
    const user = await newApp().logIn(Realm.Credentials.anonymous(false));
    expect(await rejection(user.callFunction("noSuchFunction"))).toMatchObject({
      statusCode: 404,
      errorCode: "FunctionNotFound",
    });
    expect(await rejection(user.callFunction("secretRecipe"))).toMatchObject({
      statusCode: 404,
      errorCode: "FunctionNotFound",
    });
    const thrown = await rejection(user.callFunction("boom"));
    expect(thrown).toMatchObject({ errorCode: "FunctionExecutionError" });
    expect(thrown.error).toContain("boom: the function failed on purpose");
  });

  it("logs function calls with their console output in the server's log store", async () => {
    const user = await newApp().logIn(Realm.Credentials.anonymous(false));
    await user.callFunction("sum", 20, 22);
    const entries = await server.logs.query({ userId: user.id, type: "function" });
    expect(entries.at(-1)).toMatchObject({ outcome: "ok", logs: ["adding 20 and 22"] });
  });
});

describe("realm-web: data access under the owner-read-write role", () => {
  const { ObjectId } = Realm.BSON;

  async function carsOf(app: Realm.App) {
    const user = await app.logIn(Realm.Credentials.anonymous(false));
    return {
      user,
      cars: user.mongoClient("mongodb-atlas").db("cars-db").collection<{
        _id: InstanceType<typeof ObjectId>;
        ownerId: string;
        make: string;
        model?: string;
        miles?: number;
      }>("Car"),
    };
  }

  it("shows users their own documents only, and denies writes on behalf of others", async () => {
    const alice = await carsOf(newApp());
    const bob = await carsOf(newApp());
    const aliceCar = new ObjectId();
    await alice.cars.insertOne({
      _id: aliceCar,
      ownerId: alice.user.id,
      make: "Toyota",
      model: "Prius",
      miles: 100,
    });
    await alice.cars.insertMany([
      { _id: new ObjectId(), ownerId: alice.user.id, make: "Honda", miles: 5 },
      { _id: new ObjectId(), ownerId: alice.user.id, make: "Ford", miles: 50 },
    ]);
    await bob.cars.insertOne({
      _id: new ObjectId(),
      ownerId: bob.user.id,
      make: "Tesla",
      miles: 1,
    });

    expect((await alice.cars.find({}, { sort: { miles: 1 } })).map((car) => car.make)).toEqual([
      "Honda",
      "Ford",
      "Toyota",
    ]);
    expect((await bob.cars.find()).map((car) => car.make)).toEqual(["Tesla"]);
    expect(await bob.cars.findOne({ _id: aliceCar })).toBeNull();
    expect(await alice.cars.count({ miles: { $gte: 50 } })).toBe(2);
    expect(await alice.cars.findOne({ _id: aliceCar }, { projection: { make: 1 } })).toEqual({
      _id: aliceCar,
      make: "Toyota",
    });

    const denied = await rejection(
      bob.cars.insertOne({ _id: new ObjectId(), ownerId: alice.user.id, make: "Forged" }),
    );
    expect(denied.statusCode).toBeGreaterThanOrEqual(400);
    const bobUpdate = await bob.cars.updateOne({ _id: aliceCar }, { $set: { miles: 0 } });
    expect(bobUpdate).toMatchObject({ matchedCount: 0, modifiedCount: 0 });
    expect((await bob.cars.deleteMany({})).deletedCount).toBe(1);
    expect(await alice.cars.count()).toBe(3);
  });

  it("runs every mongoClient action with App Services result shapes", async () => {
    const { user, cars } = await carsOf(newApp());
    const id = new ObjectId();
    expect(await cars.insertOne({ _id: id, ownerId: user.id, make: "Saab", miles: 10 })).toEqual({
      insertedId: id,
    });
    expect(await cars.updateOne({ _id: id }, { $inc: { miles: 5 } })).toEqual({
      matchedCount: 1,
      modifiedCount: 1,
    });
    const upserted = await cars.updateMany(
      { make: "Lada" },
      { $set: { ownerId: user.id, miles: 3 } },
      { upsert: true },
    );
    expect(upserted).toMatchObject({
      matchedCount: 0,
      modifiedCount: 0,
      upsertedId: expect.anything(),
    });
    expect(
      await cars.aggregate([
        { $match: { miles: { $gt: 1 } } },
        { $group: { _id: null, total: { $sum: "$miles" } } },
      ]),
    ).toEqual([{ _id: null, total: 18 }]);
    expect(
      await cars.findOneAndUpdate(
        { _id: id },
        { $set: { model: "900" } },
        { returnNewDocument: true },
      ),
    ).toMatchObject({ model: "900", miles: 15 });
    expect(
      await cars.findOneAndReplace(
        { _id: id },
        { ownerId: user.id, make: "Saab", model: "9-3" },
        { returnNewDocument: true },
      ),
    ).toMatchObject({ model: "9-3" });
    expect(await cars.findOneAndDelete({ _id: id })).toMatchObject({ _id: id, model: "9-3" });
    expect(await cars.findOne({ _id: id })).toBeNull();
    expect(await cars.deleteOne({ make: "Lada" })).toEqual({ deletedCount: 1 });
    expect(await cars.count()).toBe(0);
  });

  it("watches changes to the user's own documents", async () => {
    const { user, cars } = await carsOf(newApp());
    const stream = cars.watch();
    const first = stream.next();
    let settled = false;
    void first.then(() => (settled = true));
    // The subscription opens asynchronously; insert until the stream has seen one.
    for (let attempt = 0; !settled && attempt < 200; attempt++) {
      await cars.insertOne({ _id: new ObjectId(), ownerId: user.id, make: `Watched ${attempt}` });
    }
    const change = (await first).value as {
      operationType: string;
      fullDocument: { ownerId: string; make: string };
    };
    expect(change.operationType).toBe("insert");
    expect(change.fullDocument).toMatchObject({ ownerId: user.id });
    await stream.return(undefined);
  });

  it("watches only the documents named by ids", async () => {
    const { user, cars } = await carsOf(newApp());
    const watched = new ObjectId();
    await cars.insertOne({ _id: watched, ownerId: user.id, make: "Watched", miles: 0 });
    const stream = cars.watch({ ids: [watched] });
    const first = stream.next();
    let settled = false;
    void first.then(() => (settled = true));
    for (let attempt = 0; !settled && attempt < 200; attempt++) {
      await cars.insertOne({ _id: new ObjectId(), ownerId: user.id, make: "Unwatched" });
      await cars.updateOne({ _id: watched }, { $inc: { miles: 1 } });
    }
    const change = (await first).value as { operationType: string; documentKey: { _id: unknown } };
    expect(change.operationType).toBe("update");
    expect(change.documentKey._id).toEqual(watched);
    await stream.return(undefined);
  });
});

/**
 * Hostile data-API queries through an unmodified realm-web client against a real server:
 * each gets a clear error (or its correct answer, for regexes RE2 runs in linear time), the
 * server keeps serving, and another user's ordinary request is answered while a runaway
 * query is still running.
 */
import * as Realm from "realm-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { TEST_APP_DIR } from "../http/test-support/standInServer.js";

const { ObjectId } = Realm.BSON;

interface Car {
  _id: InstanceType<typeof ObjectId>;
  ownerId: string;
  make: string;
  miles?: number;
}

let server: AtollServer;

beforeAll(async () => {
  server = await AtollServer.start({
    appDir: TEST_APP_DIR,
    port: 0,
    storage: "memory",
    logLevel: "silent",
    queryLimits: { timeoutMs: 5_000, workerMemoryMb: 128, workers: 2 },
  });
  // Both evaluation workers started, as on a server that has been serving for a while.
  const { cars } = await carsOf();
  await Promise.all([cars.aggregate([{ $count: "n" }]), cars.aggregate([{ $count: "n" }])]);
});
afterAll(async () => {
  await server.close();
});

function carsCollection(user: Realm.User) {
  return user.mongoClient("mongodb-atlas").db("cars-db").collection<Car>("Car");
}

async function carsOf(): Promise<{ id: string; cars: ReturnType<typeof carsCollection> }> {
  const user = await new Realm.App({ id: server.appId, baseUrl: server.url }).logIn(
    Realm.Credentials.anonymous(false),
  );
  return { id: user.id, cars: carsCollection(user) };
}

async function rejection(
  promise: Promise<unknown>,
): Promise<{ statusCode?: number; errorCode?: string; error?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { statusCode?: number; errorCode?: string; error?: string };
  }
  throw new Error("expected the request to be refused");
}

async function expectStillServing(): Promise<void> {
  const { id, cars } = await carsOf();
  await cars.insertOne({ _id: new ObjectId(), ownerId: id, make: "Volvo" });
  expect((await cars.find()).map((car) => car.make)).toEqual(["Volvo"]);
}

describe("data API: runaway expressions", () => {
  it("refuses a $range too long to build, in aggregate and in find's projection", async () => {
    const { id, cars } = await carsOf();
    await cars.insertOne({ _id: new ObjectId(), ownerId: id, make: "Saab", miles: 300_000_000 });
    const huge = { $size: { $range: [0, 3e8] } };
    for (const refused of [
      await rejection(cars.aggregate([{ $project: { x: huge } }])),
      await rejection(cars.find({}, { projection: { x: huge } })),
      // Not visible before evaluation: the length comes from the document.
      await rejection(cars.aggregate([{ $project: { x: { $size: { $range: [0, "$miles"] } } } }])),
    ]) {
      expect(refused).toMatchObject({ statusCode: 400, errorCode: "MongoDBError" });
      expect(refused.error).toContain("$range");
    }
    await expectStillServing();
  });

  it("answers another user while a runaway pipeline runs, then stops the pipeline at its time limit", async () => {
    const attacker = await carsOf();
    await attacker.cars.insertOne({ _id: new ObjectId(), ownerId: attacker.id, make: "Lada" });
    const spin = {
      $map: { input: { $range: [0, 100_000] }, in: { $size: { $range: [0, 100_000] } } },
    };
    const order: string[] = [];
    const hostile = rejection(attacker.cars.aggregate([{ $project: { x: { $sum: spin } } }])).then(
      (refused) => {
        order.push("hostile");
        return refused;
      },
    );
    const other = await carsOf();
    await other.cars.insertOne({ _id: new ObjectId(), ownerId: other.id, make: "Skoda", miles: 7 });
    const ordinary = Promise.all([
      other.cars.find({ miles: { $gt: 1 } }, { projection: { _id: 0, make: 1 } }),
      other.cars.aggregate([{ $group: { _id: "$make", miles: { $sum: "$miles" } } }]),
    ]).then((result) => {
      order.push("ordinary");
      return result;
    });
    expect(await ordinary).toEqual([[{ make: "Skoda" }], [{ _id: "Skoda", miles: 7 }]]);
    expect(await hostile).toMatchObject({
      statusCode: 400,
      errorCode: "ExecutionTimeLimitExceeded",
    });
    expect(order).toEqual(["ordinary", "hostile"]);
    await expectStillServing();
  });
  it("stops a query that outgrows its memory, and keeps serving", async () => {
    const { id, cars } = await carsOf();
    await cars.insertOne({ _id: new ObjectId(), ownerId: id, make: "Fiat" });
    const doubling = {
      $reduce: {
        input: { $range: [0, 40] },
        initialValue: ["$make"],
        in: { $concatArrays: ["$$value", "$$value"] },
      },
    };
    const refused = await rejection(cars.aggregate([{ $project: { x: { $size: doubling } } }]));
    expect(refused).toMatchObject({ statusCode: 400, errorCode: "MongoDBError" });
    expect(refused.error).toContain("memory");
    await expectStillServing();
    expect(await cars.aggregate([{ $project: { _id: 0, make: 1 } }])).toEqual([{ make: "Fiat" }]);
  });
});

describe("data API: regular expressions", () => {
  const evil = "^(a+)+$";
  const input = `${"a".repeat(40)}!`;

  it("runs a backtracking-prone pattern in $regexMatch in linear time, with the right answer", async () => {
    const { id, cars } = await carsOf();
    await cars.insertMany([
      { _id: new ObjectId(), ownerId: id, make: input },
      { _id: new ObjectId(), ownerId: id, make: "aaaa" },
    ]);
    const matched = await cars.aggregate([
      { $project: { _id: 0, make: 1, m: { $regexMatch: { input: "$make", regex: evil } } } },
      { $sort: { make: 1 } },
    ]);
    expect(matched).toEqual([
      { make: "aaaa", m: true },
      { make: input, m: false },
    ]);
    expect(
      await cars.find(
        {},
        {
          projection: { _id: 0, f: { $regexFind: { input: "$make", regex: "(a+)!" } } },
          sort: { make: 1 },
        },
      ),
    ).toEqual([
      { f: null },
      { f: { match: `${"a".repeat(40)}!`, idx: 0, captures: ["a".repeat(40)] } },
    ]);
    await expectStillServing();
  });

  it("refuses $regex and $expr in user filters (system context only) and patterns RE2 cannot run", async () => {
    const { cars } = await carsOf();
    const refusals = [
      await rejection(
        cars.aggregate([{ $match: { $expr: { $regexMatch: { input: "$make", regex: evil } } } }]),
      ),
      await rejection(cars.find({ make: { $regex: evil } })),
      await rejection(cars.find({ make: new Realm.BSON.BSONRegExp(evil, "") })),
      await rejection(
        cars.aggregate([{ $project: { m: { $regexMatch: { input: "$make", regex: "(a)\\1" } } } }]),
      ),
      await rejection(
        cars.aggregate([
          { $project: { m: { $regexMatch: { input: "$make", regex: "a".repeat(5_000) } } } },
        ]),
      ),
    ];
    for (const refused of refusals)
      expect(refused).toMatchObject({ statusCode: 400, errorCode: "MongoDBError" });
    expect(refusals.map((refused) => refused.error)).toEqual([
      "query operator $expr is only allowed in system context",
      "query operator $regex is only allowed in system context",
      "query operator $regex is only allowed in system context",
      expect.stringContaining("backreferences"),
      expect.stringContaining("4096 characters"),
    ]);
  });
});

describe("data API: allow-list", () => {
  it("runs the reshaping and bucketing stages for users", async () => {
    const { id, cars } = await carsOf();
    await cars.insertMany([
      { _id: new ObjectId(), ownerId: id, make: "Kia", miles: 5 },
      { _id: new ObjectId(), ownerId: id, make: "Kia", miles: 50 },
      { _id: new ObjectId(), ownerId: id, make: "Audi", miles: 500 },
    ]);
    expect(await cars.aggregate([{ $sortByCount: "$make" }])).toEqual([
      { _id: "Kia", count: 2 },
      { _id: "Audi", count: 1 },
    ]);
    expect(
      await cars.aggregate([{ $bucket: { groupBy: "$miles", boundaries: [0, 10, 1_000] } }]),
    ).toEqual([
      { _id: 0, count: 1 },
      { _id: 10, count: 2 },
    ]);
    expect(
      await cars.aggregate([
        { $sort: { miles: 1 } },
        { $limit: 1 },
        { $replaceWith: { m: "$miles" } },
      ]),
    ).toEqual([{ m: 5 }]);
    expect(
      await cars.aggregate([
        { $match: { make: "Audi" } },
        { $replaceRoot: { newRoot: { make: "$make" } } },
      ]),
    ).toEqual([{ make: "Audi" }]);
  });

  it("refuses stages and operators that write, reach outside or run code", async () => {
    const { cars } = await carsOf();
    const cases: [Promise<unknown>, string][] = [
      [cars.aggregate([{ $out: "stolen" }]), "$out"],
      [cars.aggregate([{ $merge: { into: "stolen" } }]), "$merge"],
      [cars.aggregate([{ $unionWith: "custom-user-data" }]), "$unionWith"],
      [
        cars.aggregate([
          { $project: { x: { $function: { body: "return 1", args: [], lang: "js" } } } },
        ]),
        "$function",
      ],
      [cars.find({ $where: "true" }), "$where"],
      [cars.updateOne({}, { $set: { "__proto__.polluted": 1 } }), "__proto__"],
    ];
    for (const [request, name] of cases) {
      const refused = await rejection(request);
      expect(refused).toMatchObject({ statusCode: 400, errorCode: "MongoDBError" });
      expect(refused.error).toContain(name);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expectStillServing();
  });
});

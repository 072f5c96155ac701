/**
 * `context.services.get("mongodb-atlas").db(d).collection(c)` inside functions, over the real
 * data layer: every method, both call shapes (the data layer's options and Atlas' projection +
 * cursor), and the caller's rules (the seeds' owner-read-write role on Car).
 */
import { readFile } from "node:fs/promises";
import { AppError } from "@atoll/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CARS_APP_DIR } from "../config/test-support/appFixture.js";
import { REQUEST, startHarness, userNamed } from "./test-support/functionsHarness.js";
import type { Harness } from "./test-support/functionsHarness.js";

const OWNER = userNamed("64b7f0c2a1b2c3d4e5f60011");
const OTHER = userNamed("64b7f0c2a1b2c3d4e5f60012");

const CARS = `const cars = context.services.get("mongodb-atlas").db("cars-db").collection("Car");`;

const FUNCTIONS: Readonly<Record<string, string>> = {
  // Runs any collection method with the given arguments, as the caller.
  carsCall: `exports = async (method, ...args) => { ${CARS} return cars[method](...args); };`,
  atlasShapes: `exports = async (ownerId) => {
    ${CARS}
    const projected = await cars.find({ ownerId }, { model: 1, _id: 0 }).sort({ miles: -1 }).limit(2).toArray();
    const skipped = await cars.find({ ownerId }).sort({ miles: 1 }).skip(1).toArray();
    const cursor = cars.find({ ownerId }, { projection: { miles: 1, _id: 0 }, sort: { miles: 1 } });
    const first = await cursor.next();
    const second = await cursor.next();
    const one = await cars.findOne({ ownerId }, { model: 1, _id: 0 }, { sort: { miles: 1 } });
    const grouped = await cars.aggregate([{ $match: { ownerId } }, { $group: { _id: "$ownerId", total: { $sum: "$miles" } } }]).toArray();
    return { projected, skipped: skipped.map((c) => c.model), first, second, one, grouped };
  };`,
  catches: `exports = async () => {
    ${CARS}
    try { await cars.updateOne({ model: "Other's" }, { $set: { miles: 0 } }); return "no error"; }
    catch (error) { return "caught"; }
  };`,
  badMethodArgs: `exports = async () => { ${CARS} return cars.insertOne("not a document"); };`,
  watches: `exports = async () => { ${CARS} return cars.watch(); };`,
};

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("collections inside functions", () => {
  let h: Harness;
  const call = (user: typeof OWNER, method: string, ...args: unknown[]) =>
    h.service.execute("carsCall", [method, ...args], user, { request: REQUEST });

  beforeAll(async () => {
    const carDir = "data_sources/mongodb-atlas/cars-db/Car";
    h = await startHarness(
      Object.fromEntries(Object.entries(FUNCTIONS).map(([name, source]) => [name, { source }])),
      {
        files: {
          [`${carDir}/rules.json`]: await readFile(`${CARS_APP_DIR}/${carDir}/rules.json`, "utf8"),
          [`${carDir}/schema.json`]: await readFile(
            `${CARS_APP_DIR}/${carDir}/schema.json`,
            "utf8",
          ),
        },
      },
    );
    await h.data
      .system()
      .db("cars-db")
      .collection("Car")
      .insertOne({ make: "VW", model: "Other's", miles: 5, ownerId: OTHER.id });
  });

  afterAll(async () => {
    await h.close();
  });

  it("writes and reads with every method, as the caller", async () => {
    const inserted = (await call(OWNER, "insertOne", {
      make: "VW",
      model: "Beetle",
      miles: 10,
      ownerId: OWNER.id,
    })) as { insertedId: unknown };
    expect(inserted.insertedId).toBeDefined();
    const many = (await call(OWNER, "insertMany", [
      { make: "VW", model: "Mini", miles: 20, ownerId: OWNER.id },
      { make: "VW", model: "Fiat", miles: 30, ownerId: OWNER.id },
    ])) as { insertedIds: unknown[] };
    expect(many.insertedIds).toHaveLength(2);

    expect(await call(OWNER, "count", {})).toBe(3);
    const found = (await call(
      OWNER,
      "find",
      {},
      { sort: { miles: 1 }, projection: { model: 1, _id: 0 } },
    )) as unknown[];
    expect(found).toEqual([{ model: "Beetle" }, { model: "Mini" }, { model: "Fiat" }]);
    expect(
      await call(OWNER, "findOne", { model: "Mini" }, { projection: { miles: 1, _id: 0 } }),
    ).toEqual({ miles: 20 });

    expect(await call(OWNER, "updateOne", { model: "Mini" }, { $inc: { miles: 1 } })).toEqual({
      matchedCount: 1,
      modifiedCount: 1,
    });
    expect(await call(OWNER, "updateMany", {}, { $inc: { miles: 100 } })).toEqual({
      matchedCount: 3,
      modifiedCount: 3,
    });
    expect(
      await call(
        OWNER,
        "findOneAndUpdate",
        { model: "Fiat" },
        { $set: { miles: 1 } },
        { returnNewDocument: true, projection: { miles: 1, _id: 0 } },
      ),
    ).toEqual({ miles: 1 });
    expect(
      await call(
        OWNER,
        "findOneAndReplace",
        { model: "Fiat" },
        { make: "VW", model: "Fiat 500", miles: 2, ownerId: OWNER.id },
        { projection: { model: 1, _id: 0 } },
      ),
    ).toEqual({ model: "Fiat" });
    expect(
      await call(
        OWNER,
        "findOneAndDelete",
        { model: "Fiat 500" },
        { projection: { miles: 1, _id: 0 } },
      ),
    ).toEqual({ miles: 2 });
    expect(await call(OWNER, "deleteOne", { model: "Mini" })).toEqual({ deletedCount: 1 });
    expect(
      await call(OWNER, "aggregate", [{ $group: { _id: null, total: { $sum: "$miles" } } }]),
    ).toEqual([{ _id: null, total: 110 }]);
    expect(await call(OWNER, "deleteMany", {})).toEqual({ deletedCount: 1 });
  });

  it("accepts the Atlas Functions call shapes: projection arguments and cursors", async () => {
    await h.data
      .system()
      .db("cars-db")
      .collection("Car")
      .insertMany([
        { make: "VW", model: "A", miles: 1, ownerId: OWNER.id },
        { make: "VW", model: "B", miles: 2, ownerId: OWNER.id },
        { make: "VW", model: "C", miles: 3, ownerId: OWNER.id },
      ]);
    expect(await h.service.execute("atlasShapes", [OWNER.id], OWNER)).toEqual({
      projected: [{ model: "C" }, { model: "B" }],
      skipped: ["B", "C"],
      first: { miles: 1 },
      second: { miles: 2 },
      one: { model: "A" },
      grouped: [{ _id: OWNER.id, total: 6 }],
    });
  });

  it("keeps other users' documents invisible and their writes denied", async () => {
    expect(await call(OWNER, "find", { ownerId: OTHER.id })).toEqual([]);
    expect(await call(OWNER, "updateOne", { model: "Other's" }, { $set: { miles: 0 } })).toEqual({
      matchedCount: 0,
      modifiedCount: 0,
    });
    const denied = await failure(
      call(OWNER, "insertOne", { make: "VW", model: "Forged", miles: 1, ownerId: OTHER.id }),
    );
    expect(denied.code).toBe("FunctionExecutionError");
    expect(denied.details?.errorCode).toBe("NoMatchingRuleFound");
    const other = await h.data
      .system()
      .db("cars-db")
      .collection("Car")
      .findOne({ ownerId: OTHER.id });
    expect(other).toMatchObject({ model: "Other's", miles: 5 });
  });

  it("lets functions catch data errors, and reports uncaught ones with their message", async () => {
    expect(await h.service.execute("catches", [], OWNER)).toBe("no error");
    const schema = await failure(
      call(OWNER, "insertOne", { make: "VW", model: 42, ownerId: OWNER.id }),
    );
    expect(schema.code).toBe("FunctionExecutionError");
    expect(schema.details?.errorCode).toBe("SchemaValidationFailedWrite");
  });

  it("rejects malformed calls with clear messages", async () => {
    expect((await failure(h.service.execute("badMethodArgs", [], OWNER))).message).toBe(
      "insertOne() argument 1 must be a document",
    );
    expect((await failure(call(OWNER, "dropDatabase"))).message).toBe(
      "cars[method] is not a function",
    );
    expect((await failure(h.service.execute("watches", [], OWNER))).message).toMatch(
      /^collection.watch\(\) is not available in functions/,
    );
  });
});

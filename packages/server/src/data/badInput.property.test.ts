/**
 * Bad input of every kind gets a coded error: whatever JSON a client sends as filter, update,
 * pipeline or options, every collection method either answers or rejects with an AppError.
 */
import { AppError } from "@atoll/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataLayer } from "./DataLayer.js";
import { testDataLayer, testUser } from "./test-support/testApp.js";
import type { Collection, Document } from "./types.js";

let data: DataLayer;
let collections: Collection[];

beforeAll(async () => {
  data = await testDataLayer({ defaultRule: { roles: [{ name: "own", apply_when: {}, document_filters: { read: { o: "%%user.id" }, write: { o: "%%user.id" } }, read: true, write: true }], filters: [] } });
  collections = [data.system().db("d").collection("c"), data.forUser(testUser("u")).db("d").collection("c")];
  await collections[0]!.insertMany([{ _id: 1, o: "u", a: [1, 2], n: { x: 1 } }, { _id: 2, o: "v", s: "t" }]);
});
afterAll(async () => {
  await data.storage.close();
});

const key = fc.oneof(fc.constantFrom("a", "n.x", "_id", "o", "$set", "$inc", "$push", "$gt", "$in", "$and", "$or", "$match", "$group", "$exists", "$elemMatch", "$where", "$regex", "$size"), fc.string({ maxLength: 4 }));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: "small" }, fc.jsonValue({ maxDepth: 1 }), fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(key, tie("v"), { maxKeys: 3 })),
})).v;
const anything = fc.oneof(value, fc.constantFrom(undefined, null, [], {}, "x", 3));

async function outcome(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(AppError);
  }
}

describe("bad input", () => {
  it("never escapes as anything but an AppError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1), anything, anything, anything, async (which, a, b, c) => {
        const coll = collections[which]!;
        const [x, y, z] = [a, b, c] as [Document, Document, Document];
        await outcome(() => coll.find(x, y));
        await outcome(() => coll.findOne(x, y));
        await outcome(() => coll.count(x, y));
        await outcome(() => coll.aggregate(x as unknown as Document[]));
        await outcome(() => coll.updateOne(x, y, z));
        await outcome(() => coll.updateMany(x, y, z));
        await outcome(() => coll.findOneAndUpdate(x, y, z));
        await outcome(() => coll.findOneAndReplace(x, y, z));
        await outcome(() => coll.findOneAndDelete(x, y));
        await outcome(() => coll.deleteMany({ _id: { $gt: 100 }, ...(typeof x === "object" && x !== null ? {} : {}) }));
        await outcome(() => coll.insertOne(x));
        await outcome(() => coll.insertMany(x as unknown as Document[]));
      }),
      { numRuns: 300 },
    );
  });
});

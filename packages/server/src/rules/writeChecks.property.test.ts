/**
 * Property: a user's insert succeeds exactly when the role's write document filter admits the
 * new document, and an update exactly when the document is readable and the write filter
 * admits it both before and after the change; a denied write changes nothing.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuleExpression } from "../config/types.js";
import { DataLayer } from "../data/DataLayer.js";
import { testAppConfig, testUser } from "../data/test-support/testApp.js";
import { openStorage } from "../storage/openStorage.js";
import type { StorageEngine } from "../storage/StorageEngine.js";
import { evaluateExpression } from "./evaluateExpression.js";
import { ruleContextFor } from "./RuleContext.js";

const USERS = ["u1", "u2"];
const WRITE_FILTERS: readonly RuleExpression[] = [
  { owner: "%%user.id" },
  { owner: { $in: "%%user.custom_data.friends" } },
  { "%or": [{ owner: "%%user.id" }, { shared: true }] },
  { price: { $lte: "%%values.maxPrice" } },
  { "%%root.price": { $gte: "%%prevRoot.price" } },
  { "%%user.custom_data.admin": true },
];
const READ_FILTERS: readonly RuleExpression[] = [true, { owner: "%%user.id" }, { shared: true }];
const docArb = fc.record({
  owner: fc.constantFrom(...USERS, "nobody"),
  price: fc.integer({ min: 0, max: 60 }),
  shared: fc.boolean(),
});
const userArb = fc.record({
  id: fc.constantFrom(...USERS),
  friends: fc.subarray(USERS),
  admin: fc.boolean(),
});

let storage: StorageEngine;
beforeAll(async () => {
  storage = await openStorage("memory");
});
afterAll(async () => {
  await storage.close();
});

describe("write checks", () => {
  it("allow exactly the writes the role's filters admit", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        docArb,
        docArb,
        userArb,
        fc.constantFrom(...WRITE_FILTERS),
        fc.constantFrom(...READ_FILTERS),
        async (stored, change, u, write, read) => {
          const coll = `w${run++}`;
          const config = testAppConfig({
            values: { maxPrice: 30 },
            collections: {
              [`db.${coll}`]: {
                rules: {
                  roles: [
                    {
                      name: "r",
                      apply_when: {},
                      document_filters: { read, write },
                      read: true,
                      write: true,
                    },
                  ],
                  filters: [],
                },
              },
            },
          });
          const data = new DataLayer(storage, config);
          const user = testUser(u.id, { custom_data: { friends: u.friends, admin: u.admin } });
          const ctx = ruleContextFor(config, user);
          const mine = data.forUser(user).db("db").collection(coll);
          const system = data.system().db("db").collection(coll);

          const inserted = await mine.insertOne({ _id: 1, ...change }).then(
            () => true,
            () => false,
          );
          expect(inserted).toBe(
            await evaluateExpression(write, { ...ctx, root: { _id: 1, ...change } }),
          );

          await system.insertOne({ _id: 2, ...stored });
          const before = { _id: 2, ...stored };
          const after = { _id: 2, ...change };
          const readable =
            (await evaluateExpression(read, { ...ctx, root: before })) ||
            (await evaluateExpression(write, { ...ctx, root: before }));
          const allowed =
            readable &&
            (await evaluateExpression(write, { ...ctx, root: before, prevRoot: before })) &&
            (await evaluateExpression(write, { ...ctx, root: after, prevRoot: before }));
          const unchanged = JSON.stringify(before) === JSON.stringify(after);
          const result = await mine.updateOne({ _id: 2 }, { $set: change }).then(
            (r) => r,
            () => null,
          );
          if (!readable) expect(result).toEqual({ matchedCount: 0, modifiedCount: 0 });
          else if (unchanged) expect(result).toEqual({ matchedCount: 1, modifiedCount: 0 });
          else expect(result !== null).toBe(allowed);
          expect(await system.findOne({ _id: 2 })).toEqual(allowed && readable ? after : before);
        },
      ),
      { numRuns: 150 },
    );
  });
});

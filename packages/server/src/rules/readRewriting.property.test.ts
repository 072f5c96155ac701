/**
 * Differential property: enforcing a read filter by rewriting the query (expanded without a
 * document, ANDed into the caller's filter, run by the filter engine) admits exactly the
 * documents that evaluating the same rule expression against each document admits.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuleExpression } from "../config/types.js";
import { DataLayer } from "../data/DataLayer.js";
import { testAppConfig, testUser } from "../data/test-support/testApp.js";
import type { Document } from "../data/types.js";
import { openStorage } from "../storage/openStorage.js";
import type { StorageEngine } from "../storage/StorageEngine.js";
import { evaluateExpression } from "./evaluateExpression.js";
import { ruleContextFor } from "./RuleContext.js";

const USERS = ["u1", "u2", "u3"];
const TEMPLATES: readonly RuleExpression[] = [
  true,
  false,
  { owner: "%%user.id" },
  { "%%root.owner": "%%user.id" },
  { "%%user.id": "%%root.owner" },
  { "%%user.custom_data.friends": "%%root.owner" },
  { owner: { $in: "%%user.custom_data.friends" } },
  { owner: { $nin: "%%user.custom_data.friends" } },
  { price: { $lt: "%%values.maxPrice" } },
  { price: { $gte: "%%user.custom_data.minPrice" } },
  { "%or": [{ owner: "%%user.id" }, { public: true }] },
  { "%%user.custom_data.admin": true },
  { tags: "%%user.custom_data.team" },
  { public: { "%exists": false } },
  { "%and": [{ price: { $gte: 0 } }, { public: { "%exists": true } }] },
  { owner: { $ne: "%%user.id" }, price: { $lte: 50 } },
];

const documentArb = fc.record(
  {
    owner: fc.constantFrom(...USERS, "nobody"),
    price: fc.integer({ min: -10, max: 100 }),
    public: fc.boolean(),
    tags: fc.array(fc.constantFrom("a", "b", "c"), { maxLength: 3 }),
  },
  { requiredKeys: ["owner"] },
);
const userArb = fc.record({
  id: fc.constantFrom(...USERS),
  custom: fc.record(
    {
      friends: fc.subarray(USERS),
      admin: fc.boolean(),
      team: fc.constantFrom("a", "b"),
      minPrice: fc.integer({ min: -5, max: 60 }),
    },
    { requiredKeys: [] },
  ),
});
const expressionArb = fc
  .array(fc.constantFrom(...TEMPLATES), { minLength: 1, maxLength: 2 })
  .map((parts): RuleExpression => (parts.length === 1 ? parts[0]! : { "%and": parts }));

let storage: StorageEngine;
beforeAll(async () => {
  storage = await openStorage("memory");
});
afterAll(async () => {
  await storage.close();
});

describe("read filters enforced by query rewriting", () => {
  it("admit exactly what per-document evaluation admits", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(documentArb, { maxLength: 12 }),
        userArb,
        expressionArb,
        fc.boolean(),
        async (docs, u, expr, perDocument) => {
          const coll = `c${run++}`;
          // A document-dependent apply_when forces the per-document path; both paths must agree.
          const applyWhen: RuleExpression = perDocument
            ? { "%or": [{ owner: { $exists: true } }, { owner: { $exists: false } }] }
            : {};
          const config = testAppConfig({
            values: { maxPrice: 40 },
            collections: {
              [`db.${coll}`]: {
                rules: {
                  roles: [
                    {
                      name: "r",
                      apply_when: applyWhen,
                      document_filters: { read: expr },
                      read: true,
                    },
                  ],
                  filters: [],
                },
              },
            },
          });
          const data = new DataLayer(storage, config);
          const withIds = docs.map((doc, index) => ({ _id: index, ...doc }));
          if (withIds.length > 0) await data.system().db("db").collection(coll).insertMany(withIds);
          const user = testUser(u.id, { custom_data: u.custom });
          const seen = (await data.forUser(user).db("db").collection(coll).find()).map(
            (d: Document) => d._id,
          );
          const ctx = ruleContextFor(config, user);
          const expected = [];
          for (const doc of withIds)
            if (await evaluateExpression(expr, { ...ctx, root: doc })) expected.push(doc._id);
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });
});

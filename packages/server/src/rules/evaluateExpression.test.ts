import { ObjectId, UUID } from "bson";
import { describe, expect, it } from "vitest";
import type { RequestContext } from "../callerContext.js";
import { testUser } from "../data/test-support/testApp.js";
import { evaluateExpression } from "./evaluateExpression.js";
import { expandFilter, MATCH_NOTHING } from "./expandFilter.js";
import type { RuleContext } from "./RuleContext.js";

const oid = new ObjectId();
const uuid = new UUID();
const request: RequestContext = {
  remoteIPAddress: "10.0.0.1",
  requestHeaders: { "User-Agent": ["curl"] },
  httpMethod: "POST",
  rawQueryString: "a=1",
  httpReferrer: "",
  httpUserAgent: "curl",
  service: "mongodb-atlas",
  action: "find",
};
const ctx: RuleContext = {
  user: testUser("u1", {
    data: { email: "ann@example.com" },
    custom_data: { team: "red", teams: ["red", "blue"], isAdmin: true, oid: oid.toHexString() },
  }),
  values: new Map<string, unknown>([
    ["limit", 10],
    ["admins", ["u1", "u9"]],
  ]),
  environment: { tag: "production", values: { region: "eu" } },
  request,
};

const evaluate = (
  expr: Parameters<typeof evaluateExpression>[0],
  extra: Partial<RuleContext> = {},
) => evaluateExpression(expr, { ...ctx, ...extra });

describe("evaluateExpression", () => {
  it("treats booleans, {} and %%true/%%false literally", async () => {
    expect(await evaluate(true)).toBe(true);
    expect(await evaluate(false)).toBe(false);
    expect(await evaluate({})).toBe(true);
    expect(await evaluate({ "%%true": true })).toBe(true);
    expect(await evaluate({ "%%false": true })).toBe(false);
    expect(await evaluate({ "%%user.data.email": "%%false" })).toBe(false);
  });

  it("resolves %%user: id, type, data, custom_data, identities", async () => {
    expect(await evaluate({ "%%user.id": "u1" })).toBe(true);
    expect(await evaluate({ "%%user.type": "normal" })).toBe(true);
    expect(await evaluate({ "%%user.data.email": { "%exists": true } })).toBe(true);
    expect(await evaluate({ "%%user.data.phone": { "%exists": true } })).toBe(false);
    expect(await evaluate({ "%%user.custom_data.isAdmin": true })).toBe(true);
    expect(await evaluate({ "%%user.identities.0.provider_type": "anon-user" })).toBe(true);
    expect(await evaluate({ "%%user.identities.0.providerType": "anon-user" })).toBe(true);
  });

  it("resolves %%values, %%environment.tag and %%environment.values", async () => {
    expect(await evaluate({ "%%values.limit": { $gte: 10 } })).toBe(true);
    expect(await evaluate({ "%%user.id": { $in: "%%values.admins" } })).toBe(true);
    expect(await evaluate({ "%%environment.tag": "production" })).toBe(true);
    expect(await evaluate({ "%%environment.values.region": "us" })).toBe(false);
    expect(
      await evaluateExpression({ "%%values.limit": 10 }, { ...ctx, values: { limit: 10 } }),
    ).toBe(true);
  });

  it("resolves %%request fields", async () => {
    expect(await evaluate({ "%%request.httpMethod": "POST", "%%request.action": "find" })).toBe(
      true,
    );
    expect(await evaluate({ "%%request.remoteIPAddress": { $ne: "10.0.0.1" } })).toBe(false);
    expect(
      await evaluateExpression(
        { "%%request.httpMethod": { $exists: true } },
        { ...ctx, request: undefined },
      ),
    ).toBe(false);
  });

  it("reads the document through bare keys, %%root and %%prevRoot", async () => {
    const root = { ownerId: "u1", miles: 5, tags: ["a", "b"] };
    expect(await evaluate({ ownerId: "%%user.id" }, { root })).toBe(true);
    expect(await evaluate({ "%%root.ownerId": "%%user.id" }, { root })).toBe(true);
    expect(await evaluate({ "%%user.id": "%%root.ownerId" }, { root })).toBe(true);
    expect(await evaluate({ tags: "b" }, { root })).toBe(true);
    expect(
      await evaluate(
        { "%%prevRoot.miles": { $lt: "%%root.miles" } },
        { root, prevRoot: { miles: 3 } },
      ),
    ).toBe(true);
    expect(await evaluate({ "%%prevRoot": { "%exists": false } }, { root })).toBe(true);
    expect(await evaluate({ ownerId: "%%user.id" }, { root: { ownerId: "u2" } })).toBe(false);
  });

  it("reads the field under judgement through %%this and %%prev", async () => {
    expect(await evaluate({ "%%this": { $gt: "%%prev" } }, { this: 3, prev: 2 })).toBe(true);
    expect(await evaluate({ "%%this": { $gt: "%%prev" } }, { this: 1, prev: 2 })).toBe(false);
  });

  it("supports every comparison operator", async () => {
    const root = { n: 5, s: "x" };
    const cases: [Record<string, unknown>, boolean][] = [
      [{ n: { $eq: 5 } }, true],
      [{ n: { $ne: 5 } }, false],
      [{ n: { $gt: 4 } }, true],
      [{ n: { $gte: 6 } }, false],
      [{ n: { $lt: 6 } }, true],
      [{ n: { $lte: 4 } }, false],
      [{ n: { $in: [1, 5] } }, true],
      [{ n: { $nin: [1, 5] } }, false],
      [{ s: { $exists: true } }, true],
      [{ t: { "%exists": true } }, false],
    ];
    for (const [expr, expected] of cases)
      expect(await evaluate(expr, { root }), JSON.stringify(expr)).toBe(expected);
  });

  it("combines with %and and %or", async () => {
    const root = { a: 1, b: 2 };
    expect(await evaluate({ "%and": [{ a: 1 }, { b: 2 }] }, { root })).toBe(true);
    expect(await evaluate({ "%and": [{ a: 1 }, { b: 3 }] }, { root })).toBe(false);
    expect(await evaluate({ "%or": [{ a: 9 }, { "%%user.id": "u1" }] }, { root })).toBe(true);
    expect(await evaluate({ "%or": [{ a: 9 }, { b: 9 }] }, { root })).toBe(false);
  });

  it("converts with %stringToOid, %oidToString, %stringToUuid, %uuidToString", async () => {
    expect(
      await evaluate({ _id: { "%stringToOid": "%%user.custom_data.oid" } }, { root: { _id: oid } }),
    ).toBe(true);
    expect(
      await evaluate(
        { "%%user.custom_data.oid": { "%oidToString": "%%root._id" } },
        { root: { _id: oid } },
      ),
    ).toBe(true);
    expect(
      await evaluate({ u: { "%stringToUuid": uuid.toHexString(true) } }, { root: { u: uuid } }),
    ).toBe(true);
    expect(
      await evaluate(
        { s: { "%uuidToString": "%%root.u" } },
        { root: { u: uuid, s: uuid.toHexString(true) } },
      ),
    ).toBe(true);
    expect(await evaluate({ _id: { "%stringToOid": "not-an-oid" } }, { root: { _id: oid } })).toBe(
      false,
    );
  });

  it("calls %function with expanded arguments, and a throw counts as false", async () => {
    const calls: unknown[][] = [];
    const callFunction = async (name: string, args: unknown[]) => {
      calls.push([name, ...args]);
      if (name === "boom") throw new Error("boom");
      return name === "yes";
    };
    const call = (name: string) => ({
      "%%true": { "%function": { name, arguments: ["%%user.id", 3] } },
    });
    expect(await evaluate(call("yes"), { callFunction })).toBe(true);
    expect(await evaluate(call("no"), { callFunction })).toBe(false);
    expect(await evaluate(call("boom"), { callFunction })).toBe(false);
    expect(await evaluate(call("yes"))).toBe(false);
    expect(calls[0]).toEqual(["yes", "u1", 3]);
  });

  it("matches $in against an expansion that resolves to an array, and nothing when it is missing", async () => {
    expect(
      await evaluate({ team: { $in: "%%user.custom_data.teams" } }, { root: { team: "blue" } }),
    ).toBe(true);
    expect(
      await evaluate({ team: { $in: "%%user.custom_data.nothing" } }, { root: { team: "blue" } }),
    ).toBe(false);
  });
});

describe("expandFilter", () => {
  it("substitutes expansions into an MQL filter", async () => {
    expect(await expandFilter({ ownerId: "%%user.id" }, ctx)).toEqual({ ownerId: "u1" });
    expect(await expandFilter({ team: { $in: "%%user.custom_data.teams" } }, ctx)).toEqual({
      team: { $in: ["red", "blue"] },
    });
    expect(
      await expandFilter({ "%or": [{ a: "%%values.limit" }, { b: { "%exists": true } }] }, ctx),
    ).toEqual({
      $or: [{ a: 10 }, { b: { $exists: true } }],
    });
  });

  it("folds conditions on known values to all-or-nothing", async () => {
    expect(await expandFilter({ "%%user.custom_data.isAdmin": true }, ctx)).toEqual({});
    expect(
      await expandFilter({ "%%user.custom_data.isAdmin": false, ownerId: "%%user.id" }, ctx),
    ).toEqual(MATCH_NOTHING);
    expect(await expandFilter(true, ctx)).toEqual({});
    expect(await expandFilter(false, ctx)).toEqual(MATCH_NOTHING);
  });

  it("turns %%root references into fields when there is no document", async () => {
    expect(await expandFilter({ "%%root.ownerId": "%%user.id" }, ctx)).toEqual({ ownerId: "u1" });
    expect(await expandFilter({ "%%user.id": "%%root.ownerId" }, ctx)).toEqual({ ownerId: "u1" });
    expect(await expandFilter({ a: "%%root.b" }, ctx)).toEqual({ $expr: { $eq: ["$a", "$b"] } });
  });

  it("ANDs repeated keys without losing any", async () => {
    expect(await expandFilter({ "%%root.a": 1, a: { $gt: 0 } }, ctx)).toEqual({
      $and: [{ a: 1 }, { a: { $gt: 0 } }],
    });
    expect(await expandFilter({ "%and": [{ a: 1 }], b: 2 }, ctx)).toEqual({
      $and: [{ a: 1 }],
      b: 2,
    });
  });

  it("refuses expressions that are not objects", async () => {
    await expect(expandFilter("nope" as never, ctx)).rejects.toMatchObject({
      code: "InternalServerError",
    });
    await expect(expandFilter({ "%and": { a: 1 } }, ctx)).rejects.toMatchObject({
      code: "InternalServerError",
    });
  });
});

import { afterEach, describe, expect, it } from "vitest";
import type { Role, RuleSet } from "../config/types.js";
import type { DataLayer } from "../data/DataLayer.js";
import { testDataLayer, testUser, type TestAppSpec } from "../data/test-support/testApp.js";

const NS = "shop.Item";
let data: DataLayer | undefined;
afterEach(async () => {
  await data?.storage.close();
  data = undefined;
});

async function shop(rules: RuleSet | undefined, spec: Omit<TestAppSpec, "collections"> = {}) {
  data = await testDataLayer({
    ...spec,
    collections: { [NS]: rules === undefined ? {} : { rules } },
  });
  await data
    .system()
    .db("shop")
    .collection("Item")
    .insertMany([
      { _id: 1, owner: "u1", name: "lamp", price: 10, secret: "s1", meta: { sku: "A", cost: 4 } },
      { _id: 2, owner: "u2", name: "desk", price: 99, secret: "s2", meta: { sku: "B", cost: 50 } },
      { _id: 3, owner: "u1", name: "pen", price: 1, secret: "s3", public: true },
    ]);
  return (userId: string, extra: Parameters<typeof testUser>[1] = {}) =>
    data!.forUser(testUser(userId, extra)).db("shop").collection("Item");
}

const role = (fields: Partial<Role> & { name: string }): Role => ({ apply_when: {}, ...fields });

describe("role selection", () => {
  it("uses the first role whose apply_when holds, in order", async () => {
    const items = await shop({
      roles: [
        role({
          name: "admin",
          apply_when: { "%%user.custom_data.admin": true },
          read: true,
          write: true,
        }),
        role({ name: "owner", document_filters: { read: { owner: "%%user.id" } }, read: true }),
      ],
      filters: [],
    });
    expect(await items("u2", { custom_data: { admin: true } }).count()).toBe(3);
    expect(await items("u2").count()).toBe(1);
  });

  it("gives no access when no role applies: reads return nothing, writes are NoMatchingRuleFound", async () => {
    const items = await shop({
      roles: [
        role({ name: "staff", apply_when: { "%%user.data.staff": true }, read: true, write: true }),
      ],
      filters: [],
    });
    expect(await items("u1").find()).toEqual([]);
    await expect(items("u1").insertOne({ name: "x" })).rejects.toMatchObject({
      code: "NoMatchingRuleFound",
    });
    expect(await items("u1").deleteMany({})).toEqual({ deletedCount: 0 });
  });

  it("does not fall back to the default rule when the collection has its own rules", async () => {
    const items = await shop(
      { roles: [role({ name: "nobody", apply_when: false, read: true })], filters: [] },
      {
        defaultRule: { roles: [role({ name: "everyone", read: true, write: true })], filters: [] },
      },
    );
    expect(await items("u1").count()).toBe(0);
  });

  it("applies the default rule to collections without rules, and nothing when there is none", async () => {
    const items = await shop(undefined, {
      defaultRule: { roles: [role({ name: "everyone", read: true, write: true })], filters: [] },
    });
    expect(await items("u1").count()).toBe(3);
    data = await testDataLayer();
    expect(await data.forUser(testUser("u1")).db("any").collection("thing").find()).toEqual([]);
  });

  it("chooses the role per document when apply_when reads the document", async () => {
    const items = await shop({
      roles: [
        role({ name: "mine", apply_when: { owner: "%%user.id" }, read: true, write: true }),
        role({ name: "public", apply_when: { public: true }, read: true }),
      ],
      filters: [],
    });
    expect((await items("u2").find({}, { sort: { _id: 1 } })).map((d) => d._id)).toEqual([2, 3]);
    expect(
      await items("u2")
        .updateOne({ _id: 3 }, { $set: { name: "x" } })
        .catch((e: { code: string }) => e.code),
    ).toBe("NoMatchingRuleFound");
    expect(await items("u1").updateOne({ _id: 3 }, { $set: { name: "x" } })).toEqual({
      matchedCount: 1,
      modifiedCount: 1,
    });
  });

  it("never exposes __atoll databases to users, whatever the default rule says", async () => {
    await shop(undefined, {
      defaultRule: { roles: [role({ name: "everyone", read: true, write: true })], filters: [] },
    });
    await data!.system().db("__atoll").collection("users").insertOne({ _id: "u1", secret: "hash" });
    const internal = data!.forUser(testUser("u1")).db("__atoll").collection("users");
    expect(await internal.find()).toEqual([]);
    await expect(internal.insertOne({ _id: "x" })).rejects.toMatchObject({
      code: "NoMatchingRuleFound",
    });
  });
});

describe("document-level permissions", () => {
  it("needs write and insert to insert, write and delete to delete", async () => {
    const items = await shop({
      roles: [
        role({
          name: "limited",
          document_filters: { read: true, write: { owner: "%%user.id" } },
          read: true,
          write: true,
          insert: { price: { $lt: 50 } },
          delete: { "%%root.public": true },
        }),
      ],
      filters: [],
    });
    await items("u1").insertOne({ owner: "u1", price: 5 });
    await expect(items("u1").insertOne({ owner: "u1", price: 500 })).rejects.toMatchObject({
      code: "NoMatchingRuleFound",
    });
    await expect(items("u1").deleteOne({ _id: 1 })).rejects.toMatchObject({
      code: "NoMatchingRuleFound",
    });
    expect(await items("u1").deleteOne({ _id: 3 })).toEqual({ deletedCount: 1 });
    await expect(items("u1").deleteOne({ _id: 2 })).rejects.toMatchObject({
      code: "NoMatchingRuleFound",
    });
  });

  it("checks the write filter on the document before (%%prevRoot) and after (%%root) an update", async () => {
    const items = await shop({
      roles: [
        role({
          name: "no-price-raise",
          document_filters: { write: { "%%root.price": { $lte: "%%prevRoot.price" } } },
          read: true,
          write: true,
        }),
      ],
      filters: [],
    });
    expect(await items("u1").updateOne({ _id: 2 }, { $inc: { price: -9 } })).toEqual({
      matchedCount: 1,
      modifiedCount: 1,
    });
    await expect(items("u1").updateOne({ _id: 2 }, { $inc: { price: 1 } })).rejects.toMatchObject({
      code: "NoMatchingRuleFound",
    });
  });

  it("lets write imply read", async () => {
    const items = await shop({
      roles: [
        role({
          name: "writer",
          document_filters: { read: false, write: { owner: "%%user.id" } },
          write: true,
        }),
      ],
      filters: [],
    });
    expect((await items("u1").find()).map((d) => d._id)).toEqual([1, 3]);
  });

  it("evaluates %%request and %%user.custom_data in rules", async () => {
    data = await testDataLayer({
      collections: {
        [NS]: {
          rules: {
            roles: [
              role({
                name: "get-only",
                apply_when: { "%%request.httpMethod": "GET" },
                document_filters: { read: { owner: { $in: "%%user.custom_data.friends" } } },
                read: true,
              }),
            ],
            filters: [],
          },
        },
      },
    });
    await data
      .system()
      .db("shop")
      .collection("Item")
      .insertMany([{ owner: "f1" }, { owner: "x" }]);
    const request = {
      remoteIPAddress: "",
      requestHeaders: {},
      httpMethod: "GET",
      rawQueryString: "",
      httpReferrer: "",
      httpUserAgent: "",
    };
    const user = testUser("u1", { custom_data: { friends: ["f1"] } });
    expect(await data.forUser(user, { request }).db("shop").collection("Item").count()).toBe(1);
    expect(
      await data
        .forUser(user, { request: { ...request, httpMethod: "POST" } })
        .db("shop")
        .collection("Item")
        .count(),
    ).toBe(0);
  });

  it("calls %function in apply_when through the injected callFunction", async () => {
    data = await testDataLayer({
      collections: {
        [NS]: {
          rules: {
            roles: [
              role({
                name: "vip",
                apply_when: {
                  "%%true": { "%function": { name: "isVip", arguments: ["%%user.id"] } },
                },
                read: true,
              }),
            ],
            filters: [],
          },
        },
      },
    });
    await data.system().db("shop").collection("Item").insertOne({ a: 1 });
    const callFunction = async (_name: string, args: unknown[]) => args[0] === "vip";
    const count = (id: string) =>
      data!.forUser(testUser(id), { callFunction }).db("shop").collection("Item").count();
    expect(await count("vip")).toBe(1);
    expect(await count("nobody")).toBe(0);
  });
});

describe("field-level permissions", () => {
  const fieldRules: RuleSet = {
    roles: [
      role({
        name: "fields",
        read: false,
        write: false,
        fields: {
          name: { read: true },
          price: { write: { "%%this": { $gte: 0 } } },
          meta: { fields: { sku: { read: true } } },
        },
        additional_fields: { read: false, write: false },
      }),
    ],
    filters: [],
  };

  it("omits fields the role cannot read, keeping _id and readable embedded fields", async () => {
    const items = await shop(fieldRules);
    expect(await items("u1").findOne({ _id: 1 })).toEqual({
      _id: 1,
      name: "lamp",
      price: 10,
      meta: { sku: "A" },
    });
  });

  it("hides unreadable fields from watch events, updateDescription included", async () => {
    const items = await shop(fieldRules);
    const stream = items("u1").watch();
    const next = (async () => {
      for await (const event of stream) return event;
      return undefined;
    })();
    await data!
      .system()
      .db("shop")
      .collection("Item")
      .updateOne({ _id: 1 }, { $set: { secret: "s9", price: 11, "meta.cost": 5 } });
    const event = await next;
    stream.close();
    expect(event?.fullDocument).toEqual({ _id: 1, name: "lamp", price: 11, meta: { sku: "A" } });
    expect(event?.updateDescription).toEqual({
      updatedFields: { price: 11, meta: { sku: "A" } },
      removedFields: [],
    });
  });

  it("denies writes to fields the role cannot write, allows the writable ones", async () => {
    const items = await shop(fieldRules);
    expect(await items("u1").updateOne({ _id: 1 }, { $set: { price: 12 } })).toEqual({
      matchedCount: 1,
      modifiedCount: 1,
    });
    await expect(items("u1").updateOne({ _id: 1 }, { $set: { price: -1 } })).rejects.toMatchObject({
      code: "NoMatchingRuleFound",
    });
    await expect(items("u1").updateOne({ _id: 1 }, { $set: { name: "x" } })).rejects.toMatchObject({
      code: "NoMatchingRuleFound",
    });
    await expect(items("u1").updateOne({ _id: 1 }, { $set: { extra: 1 } })).rejects.toMatchObject({
      code: "NoMatchingRuleFound",
    });
  });

  it("grants unlisted fields through additional_fields", async () => {
    const items = await shop({
      roles: [
        role({
          name: "extra",
          fields: { secret: {} },
          additional_fields: { read: true, write: true },
        }),
      ],
      filters: [],
    });
    expect(await items("u1").findOne({ _id: 3 })).toEqual({
      _id: 3,
      owner: "u1",
      name: "pen",
      price: 1,
      public: true,
    });
    await expect(
      items("u1").updateOne({ _id: 3 }, { $set: { secret: "new" } }),
    ).rejects.toMatchObject({ code: "NoMatchingRuleFound" });
    expect(await items("u1").updateOne({ _id: 3 }, { $set: { name: "quill" } })).toEqual({
      matchedCount: 1,
      modifiedCount: 1,
    });
  });

  it("treats fields named like Object.prototype members as unlisted fields", async () => {
    const items = await shop({
      roles: [
        role({
          name: "extra",
          fields: { secret: {} },
          additional_fields: { read: true, write: true },
        }),
      ],
      filters: [],
    });
    const inherited = { toString: "t", valueOf: "v", hasOwnProperty: "h", isPrototypeOf: "i" };
    expect(await items("u1").updateOne({ _id: 3 }, { $set: inherited })).toEqual({
      matchedCount: 1,
      modifiedCount: 1,
    });
    expect(await items("u1").findOne({ _id: 3 })).toMatchObject(inherited);
  });
});

describe("filters", () => {
  it("merges the query and projection of filters whose apply_when holds", async () => {
    const items = await shop({
      roles: [role({ name: "all", read: true, write: true })],
      filters: [
        {
          name: "cheap-for-guests",
          apply_when: { "%%user.data.guest": true },
          query: { price: { $lt: 50 } },
          projection: { secret: 0 },
        },
        { name: "never", apply_when: false, query: { _id: -1 } },
      ],
    });
    const guest = items("u9", { data: { guest: true } });
    expect(await guest.find({}, { sort: { _id: 1 } })).toEqual([
      { _id: 1, owner: "u1", name: "lamp", price: 10, meta: { sku: "A", cost: 4 } },
      { _id: 3, owner: "u1", name: "pen", price: 1, public: true },
    ]);
    expect(await guest.updateMany({}, { $set: { seen: true } })).toEqual({
      matchedCount: 2,
      modifiedCount: 2,
    });
    expect(await items("u9").count()).toBe(3);
  });
});

describe("operators refused in user context", () => {
  it("rejects $where, $regex and $lookup for users but not for the system", async () => {
    const items = await shop({ roles: [role({ name: "all", read: true })], filters: [] });
    await expect(items("u1").find({ name: { $regex: "^l" } })).rejects.toMatchObject({
      code: "MongoDBError",
    });
    await expect(
      items("u1").aggregate([
        { $lookup: { from: "x", localField: "a", foreignField: "b", as: "c" } },
      ]),
    ).rejects.toMatchObject({
      code: "MongoDBError",
    });
    expect(
      await data!
        .system()
        .db("shop")
        .collection("Item")
        .count({ name: { $regex: "^l" } }),
    ).toBe(1);
  });
});

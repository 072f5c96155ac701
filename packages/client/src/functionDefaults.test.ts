/**
 * A property default may be a function, called for each new object, as Realm JS allows and
 * its templates use (`_id: { type: "objectId", default: () => new BSON.ObjectId() }`).
 */
import { ObjectId } from "bson";
import { decodeChangeset } from "@atoll/protocol";
import { describe, expect, it } from "vitest";
import type { ObjectSchema } from "./index.js";
import type { RealmObject } from "./objects/RealmObject.js";
import { SqliteStore } from "./store/SqliteStore.js";
import { UpdateMode } from "./transaction/ObjectWriter.js";
import { useRealms, useTempDir } from "./test-support/realms.js";

type Item = RealmObject & { _id: ObjectId; summary: string; createdAt: Date; rank: number };

let ranks = 0;
const ItemSchema: ObjectSchema = {
  name: "Item",
  primaryKey: "_id",
  properties: {
    _id: { type: "objectId", default: () => new ObjectId() },
    summary: "string",
    createdAt: { type: "date", default: () => new Date(1_800_000_000_000) },
    rank: { type: "int", default: () => ++ranks },
  },
};

describe("function defaults", () => {
  const path = useTempDir();
  const open = useRealms();

  it("are called once for each new object that lacks the value, never for a given one", () => {
    const realm = open({ path: path(), schema: [ItemSchema] });
    const before = ranks;
    const [first, second, given] = realm.write(() => [
      realm.create<Item>("Item", { summary: "one" }),
      realm.create<Item>("Item", { summary: "two" }),
      realm.create<Item>("Item", {
        _id: new ObjectId("6b0000000000000000000001"),
        summary: "given",
        rank: 40,
      }),
    ]);
    expect(first._id).toBeInstanceOf(ObjectId);
    expect(first._id.equals(second._id)).toBe(false);
    expect(given._id.toHexString()).toBe("6b0000000000000000000001");
    expect([first.rank, second.rank, given.rank]).toEqual([before + 1, before + 2, 40]);
    expect(ranks).toBe(before + 2);
    expect(first.createdAt).toEqual(new Date(1_800_000_000_000));
    expect(realm.objectForPrimaryKey<Item>("Item", first._id)?.summary).toBe("one");
  });

  it("are not called when create updates an existing object", () => {
    const realm = open({ path: path(), schema: [ItemSchema] });
    const item = realm.write(() => realm.create<Item>("Item", { summary: "first", rank: 7 }));
    const calls = ranks;
    realm.write(() =>
      realm.create("Item", { _id: item._id, summary: "updated" }, UpdateMode.Modified),
    );
    expect([item.summary, item.rank, ranks]).toEqual(["updated", 7, calls]);
  });

  it("give each object stored before the property existed its own value", () => {
    const file = path();
    const v0: ObjectSchema = {
      name: "Item",
      primaryKey: "_id",
      properties: { _id: "objectId", summary: "string" },
    };
    const old = open({ path: file, schema: [v0] });
    old.write(() => {
      old.create("Item", { _id: new ObjectId(), summary: "a" });
      old.create("Item", { _id: new ObjectId(), summary: "b" });
    });
    old.close();
    const realm = open({ path: file, schema: [ItemSchema] });
    const values = realm.objects<Item>("Item").map((item) => item.rank);
    expect(new Set(values).size).toBe(2);
  });

  it("record the generated value in the changeset a synced realm uploads", () => {
    const file = path();
    const realm = open({ path: file, schema: [ItemSchema], sync: { flexible: true } });
    const item = realm.write(() => realm.create<Item>("Item", { summary: "synced" }));
    const id = item._id;
    realm.close();
    const store = new SqliteStore(file);
    try {
      const [entry] = store.readUploadLog();
      const instructions = decodeChangeset(entry!.changeset);
      expect(instructions[0]).toMatchObject({ type: "CreateObject", table: "Item", pk: id });
      expect(instructions.find((i) => "path" in i && i.path[0] === "rank")).toMatchObject({
        value: expect.anything(),
      });
    } finally {
      store.close();
    }
  });
});

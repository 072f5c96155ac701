/**
 * Lists and dictionaries held by mixed values, as Realm JS 12.7 has them: created from plain
 * arrays and objects at any depth, read back as live Realm.List / Realm.Dictionary, changed in
 * place inside a write, replaced by assignment, kept across reopening, reported to listeners
 * and turned into plain data by toJSON.
 */
import { decodeChangeset, type Instruction } from "@atoll/protocol";
import { Long } from "bson";
import { describe, expect, it } from "vitest";
import { SqliteStore } from "./index.js";
import type { ObjectSchema } from "./index.js";
import { Realm } from "./Realm.js";
import { List } from "./collections/List.js";
import { Dictionary } from "./collections/Dictionary.js";
import type { RealmObject } from "./objects/RealmObject.js";
import { flushListeners, useRealms, useTempDir } from "./test-support/realms.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

const Item: ObjectSchema = {
  name: "Item",
  primaryKey: "_id",
  properties: {
    _id: "int",
    data: "mixed",
    many: "mixed[]",
    byKey: "mixed{}",
    bag: "mixed<>",
    tags: "string<>",
    place: "Place?",
  },
};
const Place: ObjectSchema = {
  name: "Place",
  embedded: true,
  properties: { city: "string" },
};
const Dog: ObjectSchema = {
  name: "Dog",
  primaryKey: "name",
  properties: { name: "string" },
};
const schema = [Item, Place, Dog];

describe("lists and dictionaries in mixed values", () => {
  const path = useTempDir();
  const open = useRealms();

  function withItem(data: unknown): { realm: Realm; item: Obj } {
    const realm = open({ path: path(), schema });
    const item = realm.write(() => realm.create<Obj>("Item", { _id: 1, data }));
    return { realm, item };
  }

  it("reads nested plain values back as live dictionaries and lists", () => {
    const { item } = withItem({ tags: ["a", "b"], meta: { x: 1, deep: [[1, { y: "z" }]] } });
    expect(item.data).toBeInstanceOf(Dictionary);
    expect(item.data.tags).toBeInstanceOf(List);
    expect([...item.data.tags]).toEqual(["a", "b"]);
    expect(item.data.tags[1]).toBe("b");
    expect(item.data.meta.x).toBe(1);
    expect(item.data.meta.deep[0][1].y).toBe("z");
    expect(Object.keys(item.data)).toEqual(["tags", "meta"]);
    expect(item.toJSON()).toEqual({
      _id: 1,
      data: { tags: ["a", "b"], meta: { x: 1, deep: [[1, { y: "z" }]] } },
      many: [],
      byKey: {},
      bag: [],
      tags: [],
      place: null,
    });
  });

  it("changes nested collections in place inside a write, and the accessors stay live", () => {
    const { realm, item } = withItem({ tags: ["a", "b"], meta: { x: 1 } });
    const tags = item.data.tags;
    const meta = item.data.meta;
    realm.write(() => {
      tags.push("c");
      meta.y = 2;
      item.data.meta.list = [1, 2];
      item.data.meta.list.unshift(0);
      tags[0] = { nested: true };
      delete meta.x;
    });
    expect(tags.length).toBe(3);
    expect(tags.toJSON()).toEqual([{ nested: true }, "b", "c"]);
    expect(meta.toJSON()).toEqual({ y: 2, list: [0, 1, 2] });
    expect(() => tags.push("d")).toThrow(/outside a write transaction|write transaction/i);
  });

  it("replaces a collection by assignment; accessors to the old one become invalid", () => {
    const { realm, item } = withItem({ tags: ["a"] });
    const tags = item.data.tags;
    realm.write(() => {
      item.data = ["x", { k: "v" }];
    });
    expect(item.data).toBeInstanceOf(List);
    expect(item.data.toJSON()).toEqual(["x", { k: "v" }]);
    expect(tags.isValid()).toBe(false);
    expect(() => tags.length).toThrow(/invalidated/);
    realm.write(() => {
      item.data = 5;
    });
    expect(item.data).toBe(5);
  });

  it("stores a copy of a live list or dictionary assigned from elsewhere", () => {
    const { realm, item } = withItem({ tags: ["a"], meta: { x: 1 } });
    realm.write(() => {
      realm.create("Item", { _id: 2, data: item.data.tags, byKey: { m: item.data.meta } });
    });
    const other = realm.objectForPrimaryKey<Obj>("Item", 2) as Obj;
    realm.write(() => item.data.tags.push("b"));
    expect(other.data.toJSON()).toEqual(["a"]);
    expect(other.byKey.m.toJSON()).toEqual({ x: 1 });
  });

  it("nests collections in lists and dictionaries of mixed too", () => {
    const realm = open({ path: path(), schema });
    const item = realm.write(() =>
      realm.create<Obj>("Item", { _id: 1, many: [[1, 2], { a: [3] }], byKey: { k: [4] } }),
    );
    realm.write(() => {
      item.many[0].push(2.5);
      item.many[1].a.push(4);
      item.byKey.k.push(5);
    });
    expect(item.many.toJSON()).toEqual([[1, 2, 2.5], { a: [3, 4] }]);
    expect(item.byKey.toJSON()).toEqual({ k: [4, 5] });
  });

  it("keeps nested collections across closing and reopening", () => {
    const file = path();
    const first = new Realm({ path: file, schema });
    const when = new Date("2024-01-02T03:04:05Z");
    first.write(() => {
      const item = first.create<Obj>("Item", { _id: 1, data: { when: [when], meta: { x: 1 } } });
      item.data.meta.more = { list: ["s"] };
    });
    first.close();
    const realm = open({ path: file, schema });
    const item = realm.objectForPrimaryKey<Obj>("Item", 1) as Obj;
    expect(item.data.toJSON()).toEqual({ when: [when], meta: { x: 1, more: { list: ["s"] } } });
    expect(item.data.when[0]).toBeInstanceOf(Date);
  });

  it("keeps nested collections through a migration, readable on both sides", () => {
    const file = path();
    const first = new Realm({ path: file, schema });
    first.write(() => first.create("Item", { _id: 1, data: { tags: ["a"] } }));
    first.close();
    const Item2: ObjectSchema = {
      ...Item,
      properties: { ...Item.properties, note: "string?" },
    };
    const seen: unknown[] = [];
    const realm = open({
      path: file,
      schema: [Item2, Place],
      schemaVersion: 2,
      onMigration: (oldRealm, newRealm) => {
        seen.push((oldRealm.objectForPrimaryKey<Obj>("Item", 1) as Obj).data.toJSON());
        const item = newRealm.objectForPrimaryKey<Obj>("Item", 1) as Obj;
        item.data.tags.push("b");
        item.note = "migrated";
      },
    });
    expect(seen).toEqual([{ tags: ["a"] }]);
    expect((realm.objectForPrimaryKey<Obj>("Item", 1) as Obj).data.toJSON()).toEqual({
      tags: ["a", "b"],
    });
  });

  it("undoes nested changes when the write throws", () => {
    const { realm, item } = withItem({ tags: ["a"], meta: { x: 1 } });
    expect(() =>
      realm.write(() => {
        item.data.tags.push("b");
        item.data.meta.x = 2;
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(item.data.toJSON()).toEqual({ tags: ["a"], meta: { x: 1 } });
  });

  it("notifies listeners of nested collections and of the object", async () => {
    const { realm, item } = withItem({ tags: ["a"], meta: { x: 1 } });
    const listChanges: unknown[] = [];
    const dictionaryChanges: unknown[] = [];
    const objectChanges: string[][] = [];
    item.data.tags.addListener((_list: unknown, changes: unknown) => listChanges.push(changes));
    item.data.meta.addListener((_d: unknown, changes: unknown) => dictionaryChanges.push(changes));
    item.addListener((_o: unknown, changes: { changedProperties: string[] }) =>
      objectChanges.push(changes.changedProperties),
    );
    await flushListeners();
    realm.write(() => {
      item.data.tags.push("b");
      item.data.meta.y = 2;
    });
    await flushListeners();
    expect(listChanges.at(-1)).toMatchObject({ insertions: [1], deletions: [] });
    expect(dictionaryChanges.at(-1)).toMatchObject({ insertions: ["y"], deletions: [] });
    expect(objectChanges.at(-1)).toEqual(["data"]);
  });

  it("reports a change inside a nested collection as a modification of its entry", async () => {
    const { realm, item } = withItem({ tags: ["a"], meta: { x: 1 }, other: 1 });
    const changes: unknown[] = [];
    item.data.addListener((_d: unknown, change: unknown) => changes.push(change));
    await flushListeners();
    realm.write(() => (item.data.meta.deeper = { list: [1] }));
    await flushListeners();
    expect(changes.at(-1)).toEqual({ insertions: [], modifications: ["meta"], deletions: [] });
  });

  it("queries values inside nested dictionaries and the size of nested collections", () => {
    const realm = open({ path: path(), schema });
    realm.write(() => {
      realm.create("Item", { _id: 1, data: { tags: ["a", "b"], meta: { x: 1 } } });
      realm.create("Item", { _id: 2, data: { tags: ["c"], meta: { x: -1 } } });
      realm.create("Item", { _id: 3, data: [1, 2, 3] });
    });
    const ids = (query: string): number[] =>
      realm
        .objects<Obj>("Item")
        .filtered(query)
        .map((item) => item._id as number);
    expect(ids("data.meta.x > 0")).toEqual([1]);
    expect(ids("data['meta']['x'] < 0")).toEqual([2]);
    expect(ids("data.tags.@size == 2")).toEqual([1]);
    expect(ids("data.@size == 3")).toEqual([3]);
    expect(ids("data.@type == 'list'")).toEqual([3]);
    const positive = realm.objects<Obj>("Item").filtered("data.meta.x > 0");
    realm.write(() => {
      (realm.objectForPrimaryKey<Obj>("Item", 2) as Obj).data.meta.x = 5;
    });
    expect(positive.map((item) => item._id as number)).toEqual([1, 2]);
  });

  it("holds links to objects, at any depth; they become null when the object is deleted", () => {
    const file = path();
    const first = new Realm({ path: file, schema });
    first.write(() => {
      const rex = first.create<Obj>("Dog", { name: "Rex" });
      const fido = first.create<Obj>("Dog", { name: "Fido" });
      first.create("Item", { _id: 1, data: rex, many: [fido, { pets: [rex, fido] }] });
    });
    first.close();
    const realm = open({ path: file, schema });
    const item = realm.objectForPrimaryKey<Obj>("Item", 1) as Obj;
    const rex = realm.objectForPrimaryKey<Obj>("Dog", "Rex") as Obj;
    expect(item.data.name).toBe("Rex");
    expect(item.many[1].pets[1].name).toBe("Fido");
    expect(realm.objects<Obj>("Item").filtered("data == $0", rex).length).toBe(1);
    expect(item.toJSON().many).toEqual([
      { name: "Fido" },
      { pets: [{ name: "Rex" }, { name: "Fido" }] },
    ]);
    expect(() =>
      realm.write(() => {
        realm.delete(rex);
        throw new Error("undo");
      }),
    ).toThrow("undo");
    expect(item.data.name).toBe("Rex");
    realm.write(() => realm.delete(rex));
    expect(item.data).toBe(null);
    expect(item.many.toJSON()).toEqual([{ name: "Fido" }, { pets: [null, { name: "Fido" }] }]);
    const elsewhere = open({ path: path(), schema });
    const stranger = elsewhere.write(() => elsewhere.create<Obj>("Dog", { name: "Stray" }));
    realm.write(() => {
      expect(() => (item.data = stranger)).toThrow(
        /Expected 'Item.data' to be a value Realm can store/,
      );
    });
  });

  it("refuses what Realm refuses: a Realm.Set, an embedded object, bad keys, cycles", () => {
    const { realm, item } = withItem(null);
    const owner = realm.write(() => realm.create<Obj>("Item", { _id: 2, place: { city: "Oslo" } }));
    realm.write(() => {
      expect(() => (item.data = owner.tags)).toThrow(/Realm.Set cannot be stored/);
      expect(() => (item.data = owner.place)).toThrow(/Embedded objects cannot be stored/);
      expect(() => (item.data = { "a.b": 1 })).toThrow(/must be a string without '.'/);
      expect(() => item.bag.add([1])).toThrow(/A set cannot hold lists or dictionaries/);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(() => (item.data = cyclic)).toThrow(/contains itself/);
    });
    expect(item.data).toBe(null);
  });

  it("in a synced realm, refuses a link in mixed with a clear error and records nothing of it", () => {
    const file = path();
    const realm = open({ path: file, schema, sync: { flexible: true } });
    const item = realm.write(() => realm.create<Obj>("Item", { _id: 1, data: 1, many: [2] }));
    const notSynchronized = /Links in mixed values are not synchronized yet; 'Item.data'/;
    realm.write(() => {
      const dog = realm.create("Dog", { name: "Rex" });
      expect(() => (item.data = dog)).toThrow(notSynchronized);
      expect(() => (item.data = { pets: [dog] })).toThrow(notSynchronized);
      expect(() => item.many.push([dog])).toThrow(/'Item.many' cannot hold one/);
      expect(() => realm.create("Item", { _id: 2, data: [dog] })).toThrow(notSynchronized);
      item.data = "still syncs";
    });
    expect(item.data).toBe("still syncs");
    expect(item.many.toJSON()).toEqual([2]);
    expect(realm.objectForPrimaryKey("Item", 2)).toBe(null);
    realm.close();
    const instructions = uploadLog(file);
    expect(instructions.filter((instruction) => instruction.type === "CreateObject")).toHaveLength(
      2,
    );
    expect(instructions.at(-1)).toMatchObject({
      type: "Update",
      path: ["data"],
      value: "still syncs",
    });
  });

  it("in a synced realm, records a nested collection as a new one filled by paths into it", () => {
    const file = path();
    const realm = open({ path: file, schema, sync: { flexible: true } });
    const item = realm.write(() =>
      realm.create<Obj>("Item", { _id: 1, data: { tags: ["a"] }, many: [] }),
    );
    realm.write(() => {
      item.data.n = 2;
      item.data.tags.push({ k: 1 });
      item.many.push([true]);
      item.data.remove("n");
    });
    realm.close();
    const nested = uploadLog(file)
      .filter((i) => "path" in i && (i.path[0] === "data" || i.path[0] === "many"))
      .map((i) => [i.type, "path" in i ? i.path : [], "value" in i ? i.value : undefined]);
    expect(nested).toEqual([
      ["Update", ["data"], { $dictionary: true }],
      ["Update", ["data", "tags"], { $list: true }],
      ["ArrayInsert", ["data", "tags", 0], "a"],
      ["Update", ["data", "n"], Long.fromNumber(2)],
      ["ArrayInsert", ["data", "tags", 1], { $dictionary: true }],
      ["Update", ["data", "tags", 1, "k"], Long.fromNumber(1)],
      ["ArrayInsert", ["many", 0], { $list: true }],
      ["ArrayInsert", ["many", 0, 0], true],
      ["Erase", ["data", "n"], undefined],
    ]);
  });
});

/** Every instruction in a closed synced realm's upload log, oldest first. */
function uploadLog(file: string): Instruction[] {
  const store = new SqliteStore(file, { readOnly: true });
  try {
    return store.readUploadLog().flatMap((entry) => decodeChangeset(entry.changeset));
  } finally {
    store.close();
  }
}

/**
 * `toJSON` of objects and collections, as Realm JS v12 makes it: plain data (objects, arrays,
 * the values themselves), a counter as its number, and an object reached twice — through a
 * cycle or two links — as one and the same plain object.
 */
import { Decimal128, ObjectId, UUID } from "bson";
import { describe, expect, it } from "vitest";
import type { ObjectSchema } from "./index.js";
import type { RealmObject } from "./objects/RealmObject.js";
import { useRealms, useTempDir } from "./test-support/realms.js";
import { allTypesSchema } from "./test-support/schemas.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

const oid = new ObjectId("65a1b2c3d4e5f60718293a4b");
const uuid = new UUID("0936f9e0-5fcf-4839-804c-d9a0730e656f");

const Person: ObjectSchema = {
  name: "Person",
  primaryKey: "name",
  properties: {
    name: "string",
    friends: "Person[]",
    best: "Person?",
    byName: "Person{}",
    circle: "Person<>",
    visits: { type: "int", presentation: "counter", default: 0 },
    logins: "counter?",
    likedBy: { type: "linkingObjects", objectType: "Person", property: "friends" },
  },
};

describe("toJSON", () => {
  const path = useTempDir();
  const open = useRealms();

  it("turns an object of every property type into plain data", () => {
    const realm = open({ path: path(), schema: allTypesSchema });
    const data = new Uint8Array([1, 2, 3]).buffer;
    const obj = realm.write(() =>
      realm.create<Obj>("AllTypes", {
        _id: 1,
        bool: true,
        int: 42,
        float: 1.5,
        double: 3.25,
        decimal: Decimal128.fromString("12.34"),
        string: "hello",
        data,
        date: new Date("2024-01-02T03:04:05Z"),
        objectId: oid,
        uuid,
        mixed: 7,
        link: { name: "pen" },
        list: [3, 1, 2],
        linkList: [{ name: "cup" }, { name: "pen" }],
        set: ["a", "b"],
        dictionary: { x: 1, y: 2.5 },
        embedded: { note: "hi", rank: 1 },
        embeddedList: [{ note: "one" }, { note: "two", rank: 2 }],
      }),
    );
    const { link, linkList, ...rest } = obj.toJSON() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking a plain structure
    expect(rest).toEqual({
      _id: 1,
      bool: true,
      int: 42,
      float: 1.5,
      double: 3.25,
      decimal: Decimal128.fromString("12.34"),
      string: "hello",
      data: expect.any(ArrayBuffer),
      date: new Date("2024-01-02T03:04:05Z"),
      objectId: oid,
      uuid,
      mixed: 7,
      optString: null,
      list: [3, 1, 2],
      set: ["a", "b"],
      dictionary: { x: 1, y: 2.5 },
      embedded: { note: "hi", rank: 1 },
      embeddedList: [
        { note: "one", rank: null },
        { note: "two", rank: 2 },
      ],
    });
    expect(Object.getPrototypeOf(rest.dictionary)).toBe(Object.prototype);
    expect(Array.isArray(rest.set)).toBe(true);
    // Links are plain objects, linkingObjects properties arrays: here they lead back to the object.
    expect(link).toMatchObject({ name: "pen", price: 1.5 });
    expect(linkList.map((item: { name: string }) => item.name)).toEqual(["cup", "pen"]);
    // The same object reached twice is one plain object.
    expect(link).toBe(linkList[1]);
    expect(link.owners).toHaveLength(1);
    expect(link.owners[0].link).toBe(link);
    expect(link.owners[0].linkList).toBe(linkList);
    // Nothing live is left in it: it outlives the realm.
    realm.close();
    expect(rest.list).toEqual([3, 1, 2]);
    expect(linkList[0].owners[0].embedded).toEqual({ note: "hi", rank: 1 });
  });

  it("serialises counters as their numbers, also through JSON.stringify", () => {
    const realm = open({ path: path(), schema: [Person] });
    const ann = realm.write(() => realm.create<Obj>("Person", { name: "ann", visits: 3 }));
    realm.write(() => ann.visits.increment(2));
    expect(ann.visits.toJSON()).toBe(5);
    expect(ann.toJSON()).toMatchObject({ visits: 5, logins: null });
    expect(JSON.parse(JSON.stringify(ann))).toEqual({
      name: "ann",
      friends: [],
      best: null,
      byName: {},
      circle: [],
      visits: 5,
      logins: null,
      likedBy: [],
    });
    expect(JSON.parse(JSON.stringify(realm.objects("Person")))).toEqual([
      expect.objectContaining({ name: "ann", visits: 5 }),
    ]);
  });

  it("keeps a cycle between objects as the same plain object, as Realm JS does", () => {
    const realm = open({ path: path(), schema: [Person] });
    const ann = realm.write(() => {
      const a = realm.create<Obj>("Person", { name: "ann" });
      const bob = realm.create<Obj>("Person", { name: "bob", best: a, friends: [a] });
      a.best = bob;
      a.friends.push(a, bob);
      a.byName.bob = bob;
      a.circle.add(bob);
      return a;
    });
    const json = ann.toJSON() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking a plain structure
    expect(json.friends[0]).toBe(json);
    expect(json.best.best).toBe(json);
    expect(json.best).toBe(json.friends[1]);
    expect(json.byName.bob).toBe(json.best);
    expect(json.circle[0]).toBe(json.best);
    expect(json.best.friends[0]).toBe(json);
    expect(json.best.visits).toBe(0);
    // A circular structure is left to a circular-aware serialiser, as in Realm JS.
    expect(() => JSON.stringify(ann)).toThrow(TypeError);
  });

  it("finds the cycle also through a second realm on the same file", () => {
    const file = path();
    const first = open({ path: file, schema: [Person] });
    first.write(() => {
      const a = first.create<Obj>("Person", { name: "ann" });
      a.best = a;
    });
    const second = open({ path: file, schema: [Person] });
    const ann = second.objectForPrimaryKey<Obj>("Person", "ann") as Obj;
    const json = ann.toJSON();
    expect(json.best).toBe(json);
  });

  it("serialises collections with one cache for the whole call", () => {
    const realm = open({ path: path(), schema: [Person] });
    realm.write(() => {
      const a = realm.create<Obj>("Person", { name: "ann" });
      realm.create<Obj>("Person", { name: "bob", best: a });
    });
    const people = realm.objects<Obj>("Person").sorted("name");
    const json = people.toJSON() as Record<string, unknown>[];
    expect(json.map((p) => p.name)).toEqual(["ann", "bob"]);
    expect(json[1]?.best).toBe(json[0]);
    const bob = people[1] as Obj;
    expect(bob.friends.toJSON()).toEqual([]);
  });
});

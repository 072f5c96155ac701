import { Decimal128, ObjectId, UUID } from "bson";
import { describe, expect, it } from "vitest";
import Realm, { UpdateMode } from "./index.js";
import type { RealmObject } from "./objects/RealmObject.js";
import { useRealms, useTempDir } from "./test-support/realms.js";
import { allTypesSchema } from "./test-support/schemas.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

const oid = new ObjectId("65a1b2c3d4e5f60718293a4b");
const uuid = new UUID("0936f9e0-5fcf-4839-804c-d9a0730e656f");

function fullValues(id: number): Record<string, unknown> {
  return {
    _id: id,
    bool: true,
    int: 42,
    float: 1.5,
    double: 3.25,
    decimal: Decimal128.fromString("12.34"),
    string: "hello",
    data: new Uint8Array([1, 2, 3]).buffer,
    date: new Date("2024-01-02T03:04:05Z"),
    objectId: oid,
    uuid,
    mixed: "anything",
    link: { name: "pen" },
    list: [3, 1, 2],
    linkList: [{ name: "cup" }, { name: "pen" }],
    set: ["a", "b", "a"],
    dictionary: { x: 1, y: 2.5 },
    embedded: { note: "hi", rank: 1 },
    embeddedList: [{ note: "one" }, { note: "two", rank: 2 }],
  };
}

describe("CRUD on every property type", () => {
  const path = useTempDir();
  const open = useRealms();

  it("creates an object of every property type and reads each value back", () => {
    const realm = open({ path: path(), schema: allTypesSchema });
    const created = realm.write(() => realm.create<Obj>("AllTypes", fullValues(1)));
    const obj = realm.objectForPrimaryKey<Obj>("AllTypes", 1) as Obj;
    expect(obj).toBe(created);
    expect(obj.bool).toBe(true);
    expect(obj.int).toBe(42);
    expect(obj.float).toBe(1.5);
    expect(obj.double).toBe(3.25);
    expect(obj.decimal.toString()).toBe("12.34");
    expect(obj.string).toBe("hello");
    expect([...new Uint8Array(obj.data as ArrayBuffer)]).toEqual([1, 2, 3]);
    expect(obj.date).toEqual(new Date("2024-01-02T03:04:05Z"));
    expect(obj.objectId.equals(oid)).toBe(true);
    expect(obj.uuid.equals(uuid)).toBe(true);
    expect(obj.mixed).toBe("anything");
    expect(obj.optString).toBeNull();
    expect(obj.link.name).toBe("pen");
    expect(obj.link.price).toBe(1.5);
    expect([...obj.list]).toEqual([3, 1, 2]);
    expect(obj.linkList.map((i: Obj) => i.name)).toEqual(["cup", "pen"]);
    expect([...obj.set]).toEqual(["a", "b"]);
    expect(obj.dictionary.x).toBe(1);
    expect(obj.dictionary.toJSON()).toEqual({ x: 1, y: 2.5 });
    expect(obj.embedded.note).toBe("hi");
    expect(obj.embeddedList.map((d: Obj) => d.note)).toEqual(["one", "two"]);
    expect(realm.objects("Item").length).toBe(2);
    expect(realm.objectForPrimaryKey<Obj>("Item", "pen")?.owners.length).toBe(1);
  });

  it("updates every kind of property and sees the new values on the live object", () => {
    const realm = open({ path: path(), schema: allTypesSchema });
    const obj = realm.write(() => realm.create<Obj>("AllTypes", fullValues(1)));
    realm.write(() => {
      obj.bool = false;
      obj.int = -7;
      obj.float = 2;
      obj.double = 0.5;
      obj.decimal = Decimal128.fromString("-1");
      obj.string = "bye";
      obj.data = new Uint8Array([9]);
      obj.date = new Date(0);
      obj.objectId = new ObjectId("000000000000000000000001");
      obj.uuid = new UUID("00000000-0000-0000-0000-000000000001");
      obj.mixed = 12;
      obj.optString = "set";
      obj.link = null;
      obj.list.push(4);
      obj.list[0] = 30;
      obj.linkList.remove(0);
      obj.set.add("c");
      obj.set.delete("a");
      obj.dictionary.z = 9;
      obj.dictionary.remove("x");
      obj.embedded = { note: "new" };
      obj.embeddedList[1].note = "deux";
    });
    expect(obj.bool).toBe(false);
    expect(obj.int).toBe(-7);
    expect(obj.float).toBe(2);
    expect(obj.double).toBe(0.5);
    expect(obj.decimal.toString()).toBe("-1");
    expect(obj.string).toBe("bye");
    expect([...new Uint8Array(obj.data as ArrayBuffer)]).toEqual([9]);
    expect(obj.date.getTime()).toBe(0);
    expect(obj.objectId.toHexString()).toBe("000000000000000000000001");
    expect(obj.uuid.equals(new UUID("00000000-0000-0000-0000-000000000001"))).toBe(true);
    expect(obj.mixed).toBe(12);
    expect(obj.optString).toBe("set");
    expect(obj.link).toBeNull();
    expect([...obj.list]).toEqual([30, 1, 2, 4]);
    expect(obj.linkList.map((i: Obj) => i.name)).toEqual(["pen"]);
    expect([...obj.set]).toEqual(["b", "c"]);
    expect(obj.dictionary.toJSON()).toEqual({ y: 2.5, z: 9 });
    expect(obj.embedded.note).toBe("new");
    expect(obj.embedded.rank).toBeNull();
    expect(obj.embeddedList[1].note).toBe("deux");
    // The replaced embedded object is gone: embedded objects are owned.
    expect(realm.objects("Detail").length).toBe(3);
  });

  it("deletes objects, their embedded objects and the links to them", () => {
    const realm = open({ path: path(), schema: allTypesSchema });
    const obj = realm.write(() => realm.create<Obj>("AllTypes", fullValues(1)));
    const pen = realm.objectForPrimaryKey<Obj>("Item", "pen") as Obj;
    realm.write(() => realm.delete(pen));
    expect(pen.isValid()).toBe(false);
    expect(obj.link).toBeNull();
    expect(obj.linkList.map((i: Obj) => i.name)).toEqual(["cup"]);
    realm.write(() => realm.delete(obj));
    expect(obj.isValid()).toBe(false);
    expect(realm.objects("Detail").length).toBe(0);
    expect(realm.objects("AllTypes").length).toBe(0);
    realm.write(() => realm.delete(realm.objects("Item")));
    expect(realm.isEmpty).toBe(true);
  });

  it("deleteAll empties the realm", () => {
    const realm = open({ path: path(), schema: allTypesSchema });
    realm.write(() => {
      realm.create("AllTypes", fullValues(1));
      realm.create("AllTypes", fullValues(2), UpdateMode.Modified);
    });
    realm.write(() => realm.deleteAll());
    expect(realm.isEmpty).toBe(true);
  });

  it("upserts with UpdateMode.Modified and UpdateMode.All", () => {
    const realm = open({ path: path(), schema: allTypesSchema });
    realm.write(() => realm.create("Item", { name: "pen", price: 2 }));
    const same = realm.write(() =>
      realm.create<Obj>("Item", { name: "pen", price: 3 }, UpdateMode.Modified),
    );
    expect(same.price).toBe(3);
    realm.write(() => realm.create("Item", { name: "pen" }, UpdateMode.All));
    expect(realm.objects("Item").length).toBe(1);
    expect(realm.objectForPrimaryKey<Obj>("Item", "pen")?.price).toBe(3);
  });

  it("supports list methods: splice, move, swap, pop, shift, unshift and index access", () => {
    const realm = open({ path: path(), schema: allTypesSchema });
    const obj = realm.write(() =>
      realm.create<Obj>("AllTypes", { ...fullValues(1), list: [1, 2, 3, 4, 5] }),
    );
    realm.write(() => {
      expect(obj.list.splice(1, 2, 20, 30, 40)).toEqual([2, 3]);
      obj.list.move(0, 4);
      obj.list.swap(0, 1);
      expect(obj.list.pop()).toBe(5);
      expect(obj.list.shift()).toBe(30);
      obj.list.unshift(7);
    });
    expect([...obj.list]).toEqual([7, 20, 40, 4, 1]);
    expect(obj.list.length).toBe(5);
    expect(obj.list[2]).toBe(40);
    expect(obj.list.indexOf(4)).toBe(3);
    expect(obj.list.includes(1)).toBe(true);
    expect(obj.list.sum()).toBe(72);
    expect(obj.list.max()).toBe(40);
    expect(obj.list.min()).toBe(1);
    expect(obj.list.avg()).toBe(14.4);
  });

  it("supports class-based schemas with Realm.Object subclasses and their methods", () => {
    class Person extends Realm.Object<Person> {
      declare name: string;
      declare age: number;
      static override schema = {
        name: "Person",
        primaryKey: "name",
        properties: { name: "string", age: "int" },
      };
      greet(): string {
        return `hi ${this.name} (${this.age})`;
      }
    }
    const realm = open({ path: path(), schema: [Person] });
    const ann = realm.write(() => new Person(realm, { name: "ann", age: 30 }));
    expect(ann).toBeInstanceOf(Person);
    expect(ann).toBeInstanceOf(Realm.Object);
    expect(ann.greet()).toBe("hi ann (30)");
    const found = realm.objects(Person)[0] as Person;
    expect(found.greet()).toBe("hi ann (30)");
    expect(found.keys()).toEqual(["name", "age"]);
    expect(found.entries()).toEqual([
      ["name", "ann"],
      ["age", 30],
    ]);
    expect(found.objectSchema().primaryKey).toBe("name");
  });

  it("supports int, string, objectId and uuid primary keys", () => {
    const realm = open({
      path: path(),
      schema: [
        { name: "I", primaryKey: "k", properties: { k: "int" } },
        { name: "S", primaryKey: "k", properties: { k: "string" } },
        { name: "O", primaryKey: "k", properties: { k: "objectId" } },
        { name: "U", primaryKey: "k", properties: { k: "uuid" } },
      ],
    });
    realm.write(() => {
      realm.create("I", { k: 1 });
      realm.create("S", { k: "one" });
      realm.create("O", { k: oid });
      realm.create("U", { k: uuid });
    });
    expect(realm.objectForPrimaryKey("I", 1)).not.toBeNull();
    expect(realm.objectForPrimaryKey("I", 1n)).not.toBeNull();
    expect(realm.objectForPrimaryKey("S", "one")).not.toBeNull();
    expect(realm.objectForPrimaryKey("O", new ObjectId(oid.toHexString()))).not.toBeNull();
    expect(realm.objectForPrimaryKey("U", new UUID(uuid.toHexString()))).not.toBeNull();
    expect(realm.objectForPrimaryKey("S", "two")).toBeNull();
  });

  it("sorts, snapshots and aggregates Results", () => {
    const realm = open({ path: path(), schema: allTypesSchema });
    realm.write(() => {
      for (const [name, price] of [
        ["b", 3],
        ["a", 1],
        ["c", 2],
      ] as const)
        realm.create("Item", { name, price });
    });
    const items = realm.objects<Obj>("Item");
    expect(items.sorted("price").map((i) => i.name)).toEqual(["a", "c", "b"]);
    expect(items.sorted("name", true).map((i) => i.name)).toEqual(["c", "b", "a"]);
    expect(items.sorted([["price", true]]).map((i) => i.name)).toEqual(["b", "c", "a"]);
    expect(items.sum("price")).toBe(6);
    expect(items.avg("price")).toBe(2);
    expect(items.min("price")).toBe(1);
    expect(items.max("price")).toBe(3);
    const snapshot = items.snapshot();
    realm.write(() => realm.create("Item", { name: "d" }));
    expect(items.length).toBe(4);
    expect(snapshot.length).toBe(3);
    expect(items.isEmpty()).toBe(false);
    expect(items.isValid()).toBe(true);
    expect([...items.keys()]).toEqual([0, 1, 2, 3]);
  });

  it("returns write()'s value and rolls the whole transaction back when the callback throws", () => {
    const realm = open({ path: path(), schema: allTypesSchema });
    expect(realm.write(() => 7)).toBe(7);
    realm.write(() => realm.create("Item", { name: "kept" }));
    expect(() =>
      realm.write(() => {
        realm.create("Item", { name: "lost" });
        realm.objectForPrimaryKey<Obj>("Item", "kept")!.price = 99;
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(realm.objects("Item").length).toBe(1);
    expect(realm.objectForPrimaryKey<Obj>("Item", "kept")?.price).toBe(1.5);
    expect(realm.isInTransaction).toBe(false);
  });

  it("supports beginTransaction, commitTransaction and cancelTransaction", () => {
    const realm = open({ path: path(), schema: allTypesSchema });
    realm.beginTransaction();
    expect(realm.isInTransaction).toBe(true);
    realm.create("Item", { name: "a" });
    realm.cancelTransaction();
    expect(realm.objects("Item").length).toBe(0);
    realm.beginTransaction();
    realm.create("Item", { name: "b" });
    realm.commitTransaction();
    expect(realm.objects("Item").map((i) => (i as Obj).name)).toEqual(["b"]);
  });

  it("creates asymmetric objects but does not let them be queried", () => {
    const realm = open({
      path: path(),
      schema: [
        {
          name: "Event",
          asymmetric: true,
          primaryKey: "_id",
          properties: { _id: "objectId", kind: "string" },
        },
      ],
    });
    realm.write(() => realm.create("Event", { _id: new ObjectId(), kind: "click" }));
    expect(() => realm.objects("Event")).toThrow(/asymmetric/);
  });

  it("stores mapTo properties under their internal name and reads, queries and indexes them by their own", () => {
    const file = path();
    const schema = [
      {
        name: "Car",
        primaryKey: "_id",
        properties: {
          _id: "int",
          displayName: { type: "string", mapTo: "display_name", indexed: true },
          miles: { type: "int", mapTo: "odometer" },
        },
      },
    ];
    const realm = open({ path: file, schema, sync: {} });
    realm.write(() => realm.create("Car", { _id: 1, displayName: "Blue", miles: 7 }));
    const car = realm.objectForPrimaryKey<Obj>("Car", 1) as Obj;
    expect([car.displayName, car.miles]).toEqual(["Blue", 7]);
    expect(realm.objects("Car").filtered("displayName == 'Blue' AND miles > 5").length).toBe(1);
    expect(car.toJSON()).toEqual({ _id: 1, displayName: "Blue", miles: 7 });
    realm.close();
    const reopened = open({ path: file, schema });
    expect(reopened.objectForPrimaryKey<Obj>("Car", 1)?.displayName).toBe("Blue");
  });
});

import { Long, ObjectId } from "bson";
import { decodeChangeset } from "@atoll/protocol";
import type { Instruction } from "@atoll/protocol";
import { describe, expect, it } from "vitest";
import { RealmError, SqliteStore } from "./index.js";
import type { ObjectSchema, Realm } from "./index.js";
import type { RealmObject } from "./objects/RealmObject.js";
import { useRealms, useTempDir } from "./test-support/realms.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

const id = new ObjectId("65a1b2c3d4e5f60718293a4b");
const schema: ObjectSchema[] = [
  {
    name: "Car",
    primaryKey: "_id",
    properties: {
      _id: "objectId",
      model: "string",
      miles: { type: "int", default: 0 },
      owner: "Person?",
      tags: "string[]",
      features: "string<>",
      extras: "double{}",
      engine: "Engine?",
      wheels: "Wheel[]",
    },
  },
  { name: "Person", primaryKey: "name", properties: { name: "string" } },
  { name: "Engine", embedded: true, properties: { hp: "int", parts: "Wheel[]" } },
  { name: "Wheel", embedded: true, properties: { size: "double" } },
];

function uploadLog(path: string): Instruction[][] {
  const store = new SqliteStore(path, { readOnly: true });
  try {
    return store.readUploadLog().map((entry) => decodeChangeset(entry.changeset));
  } finally {
    store.close();
  }
}

describe("upload log", () => {
  const path = useTempDir();
  const open = useRealms();

  function synced(): { realm: Realm; file: string } {
    const file = path();
    return { realm: open({ path: file, schema, sync: { flexible: true } }), file };
  }

  it("stays empty without a sync configuration", () => {
    const file = path();
    const realm = open({ path: file, schema });
    realm.write(() => realm.create("Person", { name: "ann" }));
    realm.close();
    expect(uploadLog(file)).toEqual([]);
  });

  it("records exactly one changeset per committed write transaction, in order, and none on rollback", () => {
    const { realm, file } = synced();
    realm.write(() => realm.create("Person", { name: "ann" }));
    expect(() =>
      realm.write(() => {
        realm.create("Person", { name: "bob" });
        throw new Error("rolled back");
      }),
    ).toThrow();
    realm.beginTransaction();
    realm.create("Person", { name: "cancelled" });
    realm.cancelTransaction();
    realm.write(() => realm.create("Person", { name: "cid" }));
    realm.write(() => undefined);
    realm.close();
    expect(uploadLog(file)).toEqual([
      [{ type: "CreateObject", table: "Person", pk: "ann" }],
      [{ type: "CreateObject", table: "Person", pk: "cid" }],
    ]);
  });

  it("describes creation with CreateObject and Updates, defaults marked isDefault, links by primary key", () => {
    const { realm, file } = synced();
    realm.write(() => {
      realm.create("Car", {
        _id: id,
        model: "T",
        owner: { name: "ann" },
        tags: ["a", "b"],
        features: ["x"],
        extras: { k: 1.5 },
      });
    });
    realm.close();
    const [changeset] = uploadLog(file);
    expect(changeset).toEqual([
      { type: "CreateObject", table: "Car", pk: id },
      { type: "Update", table: "Car", pk: id, path: ["model"], value: "T" },
      {
        type: "Update",
        table: "Car",
        pk: id,
        path: ["miles"],
        value: Long.fromNumber(0),
        isDefault: true,
      },
      { type: "CreateObject", table: "Person", pk: "ann" },
      {
        type: "Update",
        table: "Car",
        pk: id,
        path: ["owner"],
        value: { $link: { table: "Person", pk: "ann" } },
      },
      { type: "ArrayInsert", table: "Car", pk: id, path: ["tags", 0], value: "a", priorSize: 0 },
      { type: "ArrayInsert", table: "Car", pk: id, path: ["tags", 1], value: "b", priorSize: 1 },
      { type: "SetInsert", table: "Car", pk: id, path: ["features"], value: "x" },
      { type: "Update", table: "Car", pk: id, path: ["extras", "k"], value: 1.5 },
    ]);
  });

  it("describes property, list, set and dictionary changes and deletion", () => {
    const { realm, file } = synced();
    const car = realm.write(() =>
      realm.create<Obj>("Car", { _id: id, model: "T", tags: ["a", "b", "c"], features: ["x"] }),
    );
    realm.write(() => {
      car.miles = 10;
      car.tags[1] = "B";
      car.tags.move(0, 2);
      car.tags.remove(0);
      car.features.add("y");
      car.features.delete("x");
      car.extras.k = 2;
      car.extras.remove("k");
      car.tags = ["z"];
    });
    realm.write(() => realm.delete(car));
    realm.close();
    const [, changes, deletion] = uploadLog(file);
    const at = { table: "Car", pk: id };
    expect(changes).toEqual([
      { type: "Update", ...at, path: ["miles"], value: Long.fromNumber(10) },
      { type: "Update", ...at, path: ["tags", 1], value: "B", priorSize: 3 },
      { type: "ArrayMove", ...at, path: ["tags", 0], to: 2, priorSize: 3 },
      { type: "ArrayErase", ...at, path: ["tags", 0], priorSize: 3 },
      { type: "SetInsert", ...at, path: ["features"], value: "y" },
      { type: "SetErase", ...at, path: ["features"], value: "x" },
      { type: "Update", ...at, path: ["extras", "k"], value: 2 },
      { type: "Erase", ...at, path: ["extras", "k"] },
      { type: "Clear", ...at, path: ["tags"], collectionType: "list" },
      { type: "ArrayInsert", ...at, path: ["tags", 0], value: "z", priorSize: 0 },
    ]);
    expect(deletion).toEqual([{ type: "EraseObject", ...at }]);
  });

  it("addresses embedded objects by path from their top-level owner", () => {
    const { realm, file } = synced();
    const car = realm.write(() =>
      realm.create<Obj>("Car", { _id: id, model: "T", engine: { hp: 100, parts: [{ size: 1 }] } }),
    );
    realm.write(() => {
      car.engine.parts[0].size = 2;
      car.wheels.push({ size: 17 });
      car.engine.hp = 120;
    });
    realm.close();
    const [created, changed] = uploadLog(file);
    const at = { table: "Car", pk: id };
    expect(created?.slice(3)).toEqual([
      { type: "Update", ...at, path: ["engine"], value: { $object: true } },
      { type: "Update", ...at, path: ["engine", "hp"], value: Long.fromNumber(100) },
      {
        type: "ArrayInsert",
        ...at,
        path: ["engine", "parts", 0],
        value: { $object: true },
        priorSize: 0,
      },
      { type: "Update", ...at, path: ["engine", "parts", 0, "size"], value: 1 },
    ]);
    expect(changed).toEqual([
      { type: "Update", ...at, path: ["engine", "parts", 0, "size"], value: 2 },
      { type: "ArrayInsert", ...at, path: ["wheels", 0], value: { $object: true }, priorSize: 0 },
      { type: "Update", ...at, path: ["wheels", 0, "size"], value: 17 },
      { type: "Update", ...at, path: ["engine", "hp"], value: Long.fromNumber(120) },
    ]);
  });

  it("numbers changesets in commit order and can trim acknowledged ones", () => {
    const { realm, file } = synced();
    for (const name of ["a", "b", "c"]) realm.write(() => realm.create("Person", { name }));
    realm.close();
    const store = new SqliteStore(file);
    expect(store.readUploadLog().map((e) => e.version)).toEqual([1, 2, 3]);
    store.trimUploadLog(2);
    expect(store.readUploadLog().map((e) => e.version)).toEqual([3]);
    expect(store.readUploadLog(3)).toEqual([]);
    store.close();
  });

  it("records Counter increments as AddInteger and Counter.set as Update", () => {
    const file = path();
    const realm = open({
      path: file,
      sync: {},
      schema: [
        {
          name: "Stats",
          primaryKey: "_id",
          properties: { _id: "int", visits: "counter", plain: "int" },
        },
      ],
    });
    const stats = realm.write(() => realm.create<Obj>("Stats", { _id: 1, visits: 5, plain: 0 }));
    realm.write(() => {
      stats.visits.increment();
      stats.visits.increment(10);
      stats.visits.decrement(3);
      stats.plain = stats.plain + 1;
    });
    expect(stats.visits.value).toBe(13);
    realm.write(() => stats.visits.set(0));
    expect(() =>
      realm.write(() => {
        stats.visits = 4;
      }),
    ).toThrow(/use its increment/);
    realm.close();
    const [, increments, reset] = uploadLog(file);
    const at = { table: "Stats", pk: Long.fromNumber(1) };
    expect(increments).toEqual([
      { type: "AddInteger", ...at, path: ["visits"], value: Long.fromNumber(1) },
      { type: "AddInteger", ...at, path: ["visits"], value: Long.fromNumber(10) },
      { type: "AddInteger", ...at, path: ["visits"], value: Long.fromNumber(-3) },
      { type: "Update", ...at, path: ["plain"], value: Long.fromNumber(1) },
    ]);
    expect(reset).toEqual([{ type: "Update", ...at, path: ["visits"], value: Long.fromNumber(0) }]);
  });

  it.each([
    ["over the upload limit", 17, 1024 * 1024 - 1000],
    ["past what the encoder can hold", 40, 1024 * 1024],
  ])(
    "refuses a transaction whose changeset is %s, writing nothing of it",
    (_case, objects, size) => {
      const { realm, file } = synced();
      realm.write(() => realm.create("Car", { _id: id, model: "kept" }));
      const big = "x".repeat(size);
      let thrown: unknown;
      try {
        realm.write(() => {
          realm.objectForPrimaryKey<Obj>("Car", id)!.model = "changed";
          for (let i = 0; i < objects; i++)
            realm.create("Car", { _id: new ObjectId(), model: big });
        });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(RealmError);
      expect(thrown).toMatchObject({ code: "TransactionTooLarge" });
      expect((thrown as Error).message).toMatch(/too large to sync.*Split it/);
      expect(realm.isInTransaction).toBe(false);
      expect(realm.objects("Car")).toHaveLength(1);
      expect(realm.objectForPrimaryKey<Obj>("Car", id)?.model).toBe("kept");
      realm.write(() => realm.create("Car", { _id: new ObjectId(), model: "small" }));
      realm.close();
      expect(uploadLog(file)).toHaveLength(2);
    },
  );
});

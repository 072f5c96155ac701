/**
 * `realm.deleteModel(name)`: in a migration it deletes what the file still holds of a type the
 * new schema dropped; in a write it empties a type and takes it out of the schema, which the
 * `"schema"` listeners hear of (and a rollback puts back).
 */
import { describe, expect, it } from "vitest";
import { Realm } from "./Realm.js";
import { ClientErrorCode } from "./errors.js";
import { flushListeners, useTempDir } from "./test-support/realms.js";

const Dog = { name: "Dog", properties: { name: "string" } };
const Person = { name: "Person", properties: { name: "string" } };
const Owner = { name: "Owner", properties: { name: "string", dog: "Dog?" } };

function fileWithDogs(path: string): void {
  const realm = new Realm({ path, schema: [Dog, Person] });
  realm.write(() => {
    realm.create("Dog", { name: "Rex" });
    realm.create("Person", { name: "Ann" });
  });
  realm.close();
}

/** Migrates the file to a schema without Dog, then to one with Dog again: how many dogs it still holds. */
function dogsLeftAfterMigration(path: string, deleteDogs: boolean): number {
  new Realm({
    path,
    schema: [Person],
    schemaVersion: 1,
    onMigration: (_old, realm) => {
      if (deleteDogs) realm.deleteModel("Dog");
    },
  }).close();
  const realm = new Realm({ path, schema: [Dog, Person], schemaVersion: 2 });
  const dogs = realm.objects("Dog").length;
  expect(realm.objects("Person")).toHaveLength(1);
  realm.close();
  return dogs;
}

describe("deleteModel", () => {
  const path = useTempDir();

  it("deletes, in a migration, the objects of a type the new schema dropped", () => {
    const kept = path();
    fileWithDogs(kept);
    expect(dogsLeftAfterMigration(kept, false)).toBe(1);
    const deleted = path();
    fileWithDogs(deleted);
    expect(dogsLeftAfterMigration(deleted, true)).toBe(0);
  });

  it("empties a type in the schema and takes it out, telling the schema listeners", async () => {
    const file = path();
    fileWithDogs(file);
    const realm = new Realm({ path: file, schema: [Dog, Person] });
    const heard: string[][] = [];
    realm.addListener("schema", (_realm, name, schema) => {
      expect(name).toBe("schema");
      heard.push((schema as Realm.CanonicalObjectSchema[]).map((type) => type.name));
    });

    realm.beginTransaction();
    realm.deleteModel("Dog");
    expect(realm.schema.map((type) => type.name)).toEqual(["Person"]);
    realm.cancelTransaction();
    expect(realm.schema.map((type) => type.name)).toEqual(["Dog", "Person"]);
    expect(realm.objects("Dog")).toHaveLength(1);
    await flushListeners();
    expect(heard).toEqual([]);

    realm.write(() => realm.deleteModel("Dog"));
    expect(realm.schema.map((type) => type.name)).toEqual(["Person"]);
    expect(() => realm.objects("Dog")).toThrow("Object type 'Dog' not found in schema.");
    await flushListeners();
    expect(heard).toEqual([["Person"]]);
    // Another instance on the open file gives the schema the file has now.
    expect(() => new Realm({ path: file, schema: [Dog, Person] })).toThrow(
      "already opened with a different schema",
    );
    const second = new Realm({ path: file, schema: [Person] });
    expect(second.objects("Person")).toHaveLength(1);
    second.close();
    realm.close();

    const reopened = new Realm({ path: file });
    expect(reopened.schema.map((type) => type.name)).toEqual(["Person"]);
    reopened.close();
  });

  it("needs a write transaction, a type no other refers to, and a local realm", () => {
    const realm = new Realm({ path: path(), schema: [Dog, Owner] });
    expect(() => realm.deleteModel("Dog")).toThrow(
      expect.objectContaining({
        code: ClientErrorCode.WrongTransactionState,
        message: "Can only delete objects within a transaction.",
      }),
    );
    realm.write(() => {
      expect(() => realm.deleteModel("Dog")).toThrow(
        "Cannot delete the model 'Dog': 'Owner.dog' refers to it",
      );
    });
    realm.close();
    const synced = new Realm({ path: path(), schema: [Person], sync: { flexible: true } });
    synced.write(() => {
      expect(() => synced.deleteModel("Person")).toThrow(/of a synced realm/);
    });
    synced.close();
  });
});

import { describe, expect, it } from "vitest";
import { ClientErrorCode, RealmError } from "./index.js";
import type { Realm, ObjectSchema } from "./index.js";
import type { RealmObject } from "./objects/RealmObject.js";
import { useRealms, useTempDir } from "./test-support/realms.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

const PersonV0: ObjectSchema = {
  name: "Person",
  primaryKey: "id",
  properties: { id: "int", firstName: "string", lastName: "string", age: "int" },
};
const PersonV1: ObjectSchema = {
  name: "Person",
  primaryKey: "id",
  properties: { id: "int", fullName: "string", age: "string" },
};

describe("migrations", () => {
  const path = useTempDir();
  const open = useRealms();

  function seed(file: string): void {
    const realm = open({ path: file, schema: [PersonV0] });
    realm.write(() => {
      realm.create("Person", { id: 1, firstName: "Ada", lastName: "Lovelace", age: 36 });
      realm.create("Person", { id: 2, firstName: "Alan", lastName: "Turing", age: 41 });
    });
    realm.close();
  }

  it("runs onMigration with the old data readable and the new schema writable", () => {
    const file = path();
    seed(file);
    const realm = open({
      path: file,
      schema: [PersonV1],
      schemaVersion: 1,
      onMigration(oldRealm: Realm, newRealm: Realm) {
        expect(oldRealm.schemaVersion).toBe(0);
        expect(newRealm.schemaVersion).toBe(1);
        const before = oldRealm.objects<Obj>("Person");
        const after = newRealm.objects<Obj>("Person");
        for (let i = 0; i < before.length; i++) {
          const old = before[i] as Obj;
          const next = after.filtered("id == $0", old.id)[0] as Obj;
          next.fullName = `${old.firstName} ${old.lastName}`;
          next.age = String(old.age);
        }
        expect(() => oldRealm.write(() => undefined)).toThrow(/read-only/);
      },
    });
    expect(
      realm
        .objects<Obj>("Person")
        .sorted("id")
        .map((p) => [p.fullName, p.age]),
    ).toEqual([
      ["Ada Lovelace", "36"],
      ["Alan Turing", "41"],
    ]);
    realm.close();
    const reopened = open({ path: file, schema: [PersonV1], schemaVersion: 1 });
    expect(reopened.objectForPrimaryKey<Obj>("Person", 2)?.fullName).toBe("Alan Turing");
    expect(reopened.schemaVersion).toBe(1);
  });

  it("without onMigration, a version bump resets changed properties and drops removed ones", () => {
    const file = path();
    seed(file);
    const realm = open({ path: file, schema: [PersonV1], schemaVersion: 1 });
    const ada = realm.objectForPrimaryKey<Obj>("Person", 1) as Obj;
    expect(ada.fullName).toBe("");
    expect(ada.age).toBe("");
    expect(ada.keys()).toEqual(["id", "fullName", "age"]);
  });

  it("writes nothing when onMigration throws, and the next open can retry", () => {
    const file = path();
    seed(file);
    expect(() =>
      open({
        path: file,
        schema: [PersonV1],
        schemaVersion: 1,
        onMigration(_old, newRealm) {
          (newRealm.objectForPrimaryKey<Obj>("Person", 1) as Obj).fullName = "half done";
          throw new Error("migration failed");
        },
      }),
    ).toThrow("migration failed");
    const old = open({ path: file, schema: [PersonV0] });
    expect(old.objectForPrimaryKey<Obj>("Person", 1)?.firstName).toBe("Ada");
    old.close();
  });

  it("lets a migration change primary keys, and refuses duplicates it leaves behind", () => {
    const file = path();
    seed(file);
    const renumbered = open({
      path: file,
      schema: [PersonV0],
      schemaVersion: 1,
      onMigration(_old, newRealm) {
        for (const person of newRealm.objects<Obj>("Person")) person.id = person.id * 10;
      },
    });
    expect(renumbered.objectForPrimaryKey<Obj>("Person", 20)?.firstName).toBe("Alan");
    renumbered.close();
    try {
      open({
        path: file,
        schema: [PersonV0],
        schemaVersion: 2,
        onMigration(_old, newRealm) {
          for (const person of newRealm.objects<Obj>("Person")) person.id = 7;
        },
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RealmError);
      expect((error as RealmError).code).toBe(ClientErrorCode.SchemaMismatch);
      expect((error as RealmError).message).toMatch(
        /'Person.id' has duplicate values after migration/,
      );
    }
  });

  it("accepts additive changes without a migration, giving new properties their default", () => {
    const file = path();
    seed(file);
    const added: ObjectSchema = {
      ...PersonV0,
      properties: {
        ...PersonV0.properties,
        email: "string?",
        score: { type: "int", default: 5 },
        city: "string",
      },
    };
    const realm = open({
      path: file,
      schema: [added, { name: "Pet", properties: { name: "string" } }],
    });
    const ada = realm.objectForPrimaryKey<Obj>("Person", 1) as Obj;
    expect([ada.email, ada.score, ada.city, ada.firstName]).toEqual([null, 5, "", "Ada"]);
    realm.write(() => realm.create("Pet", { name: "Rex" }));
    expect(realm.objects("Pet").length).toBe(1);
  });

  it("refuses a schema version lower than the stored one", () => {
    const file = path();
    open({ path: file, schema: [PersonV0], schemaVersion: 3 }).close();
    expect(() => open({ path: file, schema: [PersonV0], schemaVersion: 2 })).toThrow(
      "Provided schema version 2 is less than last set version 3.",
    );
  });

  it("deletes the file instead of migrating when deleteRealmIfMigrationNeeded is set", () => {
    const file = path();
    seed(file);
    const realm = open({ path: file, schema: [PersonV1], deleteRealmIfMigrationNeeded: true });
    expect(realm.objects("Person").length).toBe(0);
  });
});

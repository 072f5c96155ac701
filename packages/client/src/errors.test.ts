import { writeFileSync } from "node:fs";
import Database from "better-sqlite3-multiple-ciphers";
import { describe, expect, it } from "vitest";
import Realm, { ClientErrorCode, RealmError, TypeAssertionError } from "./index.js";
import type { RealmObject } from "./objects/RealmObject.js";
import { useRealms, useTempDir } from "./test-support/realms.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

const Person = {
  name: "Person",
  primaryKey: "name",
  properties: { name: "string", age: "int", nick: "string?", dogs: "Dog[]", scores: "int<>" },
};
const Dog = { name: "Dog", properties: { name: "string" } };
const Note = { name: "Note", embedded: true, properties: { text: "string" } };
const schema = [Person, Dog, Note];

/** Runs `fn`, expecting a RealmError with `code` and a message matching `message`. */
function expectError(fn: () => unknown, code: string, message: RegExp | string): RealmError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RealmError);
    expect((error as RealmError).code).toBe(code);
    expect((error as RealmError).message).toMatch(message);
    return error as RealmError;
  }
  throw new Error(`expected a ${code} error`);
}

describe("typed errors", () => {
  const path = useTempDir();
  const open = useRealms();

  it("refuses writes outside a write transaction, with Realm's message", () => {
    const realm = open({ path: path(), schema });
    expectError(
      () => realm.create("Person", { name: "a", age: 1 }),
      ClientErrorCode.WrongTransactionState,
      "Cannot modify managed objects outside of a write transaction.",
    );
    const ann = realm.write(() => realm.create<Obj>("Person", { name: "ann", age: 1 }));
    expectError(
      () => {
        ann.age = 2;
      },
      ClientErrorCode.WrongTransactionState,
      /outside of a write transaction/,
    );
    expectError(
      () => ann.dogs.push({ name: "rex" }),
      ClientErrorCode.WrongTransactionState,
      /outside of a write transaction/,
    );
    expectError(
      () => realm.delete(ann),
      ClientErrorCode.WrongTransactionState,
      /outside of a write transaction/,
    );
    expectError(
      () => realm.commitTransaction(),
      ClientErrorCode.WrongTransactionState,
      /non-existing write transaction/,
    );
    realm.write(() => {
      expectError(
        () => realm.beginTransaction(),
        ClientErrorCode.WrongTransactionState,
        /already in a write transaction/,
      );
    });
    expect(ann.age).toBe(1);
  });

  it("names type and property for a value of the wrong type, and writes nothing", () => {
    const realm = open({ path: path(), schema });
    const error = expectError(
      () => realm.write(() => realm.create("Person", { name: "a", age: "old" })),
      ClientErrorCode.PropertyTypeMismatch,
      "Expected 'Person.age' to be a number or bigint, got a string ('old')",
    );
    expect(error).toBeInstanceOf(TypeAssertionError);
    expectError(
      () => realm.write(() => realm.create("Person", { name: "a", age: 1.5 })),
      ClientErrorCode.PropertyTypeMismatch,
      /Person\.age/,
    );
    expectError(
      () => realm.write(() => realm.create("Person", { name: "a", age: 1, nick: 5 })),
      ClientErrorCode.PropertyTypeMismatch,
      /Person\.nick/,
    );
    expectError(
      () => realm.write(() => realm.create("Person", { name: "a", age: 1, dogs: [5] })),
      ClientErrorCode.PropertyTypeMismatch,
      /Person\.dogs/,
    );
    expectError(
      () => realm.write(() => realm.create("Person", { name: "a", age: 1, scores: "x" })),
      ClientErrorCode.PropertyTypeMismatch,
      /Person\.scores/,
    );
    expect(realm.objects("Person").length).toBe(0);
  });

  it("reports missing required properties and unknown properties", () => {
    const realm = open({ path: path(), schema });
    expectError(
      () => realm.write(() => realm.create("Person", { name: "a" })),
      ClientErrorCode.MissingProperty,
      "Missing value for property 'Person.age'",
    );
    expectError(
      () => realm.write(() => realm.create("Person", { age: 3 })),
      ClientErrorCode.MissingProperty,
      "Missing value for property 'Person.name'",
    );
    expectError(
      () => realm.write(() => realm.create("Person", { name: "a", age: 1, color: "red" })),
      ClientErrorCode.UnknownProperty,
      "Property 'Person.color' does not exist",
    );
    expectError(
      () => realm.objects("Cat"),
      ClientErrorCode.ObjectTypeNotFound,
      "Object type 'Cat' not found in schema.",
    );
    expect(realm.objects("Person").length).toBe(0);
  });

  it("refuses a duplicate primary key with UpdateMode.Never", () => {
    const realm = open({ path: path(), schema });
    realm.write(() => realm.create("Person", { name: "ann", age: 1 }));
    const error = expectError(
      () => realm.write(() => realm.create("Person", { name: "ann", age: 2 })),
      ClientErrorCode.ObjectAlreadyExists,
      "Attempting to create an object of type 'Person' with an existing primary key value 'ann'.",
    );
    expect(error.details).toEqual({ objectType: "Person", primaryKey: "ann" });
    expect(realm.objectForPrimaryKey<Obj>("Person", "ann")?.age).toBe(1);
    expectError(
      () => realm.objectForPrimaryKey("Person", { name: "ann" }),
      ClientErrorCode.PropertyTypeMismatch,
      /Person\.name/,
    );
    expectError(
      () => realm.objectForPrimaryKey("Person", 5),
      ClientErrorCode.PropertyTypeMismatch,
      /Person\.name/,
    );
  });

  it("refuses values that are not objects, and odd arguments, with coded errors", () => {
    const realm = open({ path: path(), schema });
    expectError(
      () => realm.write(() => realm.create("Person", null as never)),
      ClientErrorCode.InvalidArgument,
      /values for 'Person'/,
    );
    expectError(
      () => realm.write(() => realm.create("Person", 5)),
      ClientErrorCode.InvalidArgument,
      /values for 'Person'/,
    );
    expectError(
      () => realm.objects("Person").filtered(42 as never),
      ClientErrorCode.InvalidQuery,
      /query string/,
    );
    expectError(() => realm.objects("Person").sorted({}), ClientErrorCode.InvalidQuery, /sorted/);
    expectError(
      () => realm.write(() => realm.delete(7)),
      ClientErrorCode.InvalidArgument,
      /delete/,
    );
    expectError(
      () => realm.addListener("nope" as never, () => undefined),
      ClientErrorCode.InvalidArgument,
      /event name/,
    );
    expectError(
      () => realm.objects("Person").sum("height"),
      ClientErrorCode.UnknownProperty,
      /Person\.height/,
    );
    expectError(
      () => realm.objects("Person").sum("name"),
      ClientErrorCode.InvalidArgument,
      /only numbers/,
    );
    const ann = realm.write(() => realm.create<Obj>("Person", { name: "ann", age: 1 }));
    expectError(
      () =>
        realm.write(() => {
          ann.dogs = 5;
        }),
      ClientErrorCode.PropertyTypeMismatch,
      /Person\.dogs/,
    );
    expectError(
      () => realm.write(() => ann.scores.add("x")),
      ClientErrorCode.PropertyTypeMismatch,
      /Person\.scores/,
    );
    expect(realm.objects("Person").length).toBe(1);
  });

  it("refuses access to a deleted object", () => {
    const realm = open({ path: path(), schema });
    const ann = realm.write(() => realm.create<Obj>("Person", { name: "ann", age: 1 }));
    const dogs = ann.dogs;
    realm.write(() => realm.delete(ann));
    expectError(
      () => ann.age,
      ClientErrorCode.InvalidatedObject,
      "Accessing object of type Person which has been invalidated or deleted",
    );
    expectError(() => dogs.length, ClientErrorCode.InvalidatedObject, /invalidated or deleted/);
    expectError(
      () =>
        realm.write(() => {
          ann.age = 3;
        }),
      ClientErrorCode.InvalidatedObject,
      /Person/,
    );
    expectError(
      () => realm.write(() => realm.delete(ann)),
      ClientErrorCode.InvalidatedObject,
      /Person/,
    );
  });

  it("reports a bad query with the parser's message and position", () => {
    const realm = open({ path: path(), schema });
    const syntax = expectError(
      () => realm.objects("Person").filtered("age >> 3"),
      ClientErrorCode.InvalidQuery,
      /Invalid query on 'Person'.*offset \d+/,
    );
    expect(syntax.details?.rqlCode).toBe("RqlSyntaxError");
    const binding = expectError(
      () => realm.objects("Person").filtered("height > 3"),
      ClientErrorCode.InvalidQuery,
      /height/,
    );
    expect(binding.details?.rqlCode).toBe("RqlBindError");
    expectError(
      () => realm.objects("Person").filtered("age > $0"),
      ClientErrorCode.InvalidQuery,
      /\$0|argument/i,
    );
    expectError(
      () => realm.objects("Person").sorted("height"),
      ClientErrorCode.InvalidQuery,
      /height/,
    );
  });

  it("refuses an incompatible schema without a migration, naming each change", () => {
    const file = path();
    open({ path: file, schema }).close();
    expectError(
      () =>
        open({
          path: file,
          schema: [{ ...Person, properties: { ...Person.properties, age: "string" } }, Dog, Note],
        }),
      ClientErrorCode.SchemaMismatch,
      "Migration is required due to the following errors:\n- Property 'Person.age' has been changed from 'int' to 'string'.",
    );
    expectError(
      () =>
        open({
          path: file,
          schema: [{ ...Person, properties: { ...Person.properties, nick: "string" } }, Dog, Note],
        }),
      ClientErrorCode.SchemaMismatch,
      "- Property 'Person.nick' has been made required.",
    );
    expectError(
      () => open({ path: file, schema, schemaVersion: -1 }),
      ClientErrorCode.InvalidSchemaVersion,
      /non-negative/,
    );
  });

  it("refuses invalid schemas", () => {
    expectError(
      () => open({ path: path(), schema: [{ name: "A", properties: { b: "B" } }] }),
      ClientErrorCode.InvalidSchema,
      /'A.b' has unknown object type 'B'/,
    );
    expectError(
      () =>
        open({
          path: path(),
          schema: [{ name: "A", primaryKey: "x", properties: { x: "double" } }],
        }),
      ClientErrorCode.InvalidSchema,
      /cannot be made the primary key/,
    );
    expectError(
      () =>
        open({ path: path(), schema: [{ name: "A", primaryKey: "y", properties: { x: "int" } }] }),
      ClientErrorCode.InvalidSchema,
      /'A.y' does not exist/,
    );
    expectError(
      () => open({ path: path(), schema: [Note, { ...Note }] }),
      ClientErrorCode.InvalidSchema,
      /more than once/,
    );
    expectError(() => open({ path: path() }), ClientErrorCode.InvalidSchema, /needs a schema/);
  });

  it("refuses to open a file that is not a realm, or of an unknown format version", () => {
    const notRealm = path();
    writeFileSync(notRealm, "this is not a database at all, just some text that is long enough");
    expectError(
      () => open({ path: notRealm, schema }),
      ClientErrorCode.UnsupportedFileFormat,
      /Cannot open realm file/,
    );
    const future = path();
    open({ path: future, schema }).close();
    const raw = new Database(future);
    raw.prepare("UPDATE meta SET value = '99' WHERE key = 'format_version'").run();
    raw.close();
    expectError(
      () => open({ path: future, schema }),
      ClientErrorCode.UnsupportedFileFormat,
      /format version is 99, and this version of Atoll reads format 3/,
    );
  });

  it("refuses use of a closed realm and writes to a read-only realm", () => {
    const file = path();
    const realm = open({ path: file, schema });
    realm.write(() => realm.create("Person", { name: "ann", age: 1 }));
    const people = realm.objects("Person");
    realm.close();
    expect(realm.isClosed).toBe(true);
    expectError(
      () => realm.objects("Person"),
      ClientErrorCode.RealmClosed,
      "Cannot access realm that has been closed.",
    );
    expectError(() => people.length, ClientErrorCode.RealmClosed, /closed/);
    const readOnly = open({ path: file, schema, readOnly: true });
    expect(readOnly.objects("Person").length).toBe(1);
    expectError(() => readOnly.write(() => undefined), ClientErrorCode.ReadOnly, /read-only/);
  });

  it("refuses embedded objects created on their own and list indexes out of range", () => {
    const realm = open({ path: path(), schema });
    expectError(
      () => realm.write(() => realm.create("Note", { text: "x" })),
      ClientErrorCode.InvalidArgument,
      /embedded type 'Note'/,
    );
    const ann = realm.write(() => realm.create<Obj>("Person", { name: "ann", age: 1 }));
    expectError(
      () => realm.write(() => ann.dogs.remove(3)),
      ClientErrorCode.IndexOutOfRange,
      /index 3/,
    );
    expectError(
      () =>
        realm.write(() => {
          ann.name = "bob";
        }),
      ClientErrorCode.InvalidArgument,
      /primary key/,
    );
    expectError(
      () => realm.write(() => realm.create("Person", { name: "x", age: 1 }, "sometimes" as never)),
      ClientErrorCode.InvalidArgument,
      /updateMode/,
    );
  });

  it("every error is an instance of Error with a stable code", () => {
    const codes = Object.values(ClientErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new RealmError(ClientErrorCode.InvalidArgument, "x")).toBeInstanceOf(Error);
    expect(Realm.Object).toBeDefined();
  });
});

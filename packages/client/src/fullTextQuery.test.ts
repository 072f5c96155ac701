import { describe, expect, it } from "vitest";
import { RealmError } from "./errors.js";
import type { ObjectSchema } from "./index.js";
import type { RealmObject } from "./objects/RealmObject.js";
import { flushListeners, useRealms, useTempDir } from "./test-support/realms.js";

type Book = RealmObject & { id: number; title: string; blurb: string };

const schema: ObjectSchema[] = [
  {
    name: "Book",
    primaryKey: "id",
    properties: {
      id: "int",
      title: { type: "string", indexed: "full-text" },
      blurb: "string",
    },
  },
];

describe("full-text search through the Realm API", () => {
  const path = useTempDir();
  const open = useRealms();

  it("filters with TEXT: every word, no excluded word, prefixes, without case or diacritics", () => {
    const realm = open({ path: path(), schema });
    realm.write(() => {
      realm.create("Book", { id: 1, title: "Realm data modelling", blurb: "" });
      realm.create("Book", { id: 2, title: "MongoDB, Realm and your data", blurb: "" });
      realm.create("Book", { id: 3, title: "Réalm: DATABASE internals", blurb: "" });
      realm.create("Book", { id: 4, title: "Cooking for programmers", blurb: "" });
    });
    const ids = (query: string, ...args: unknown[]) =>
      realm
        .objects<Book>("Book")
        .filtered(query, ...args)
        .sorted("id")
        .map((book) => book.id);
    expect(ids("title TEXT 'realm -mongodb data*'")).toEqual([1, 3]);
    expect(ids("title TEXT $0", "REALM DATA")).toEqual([1, 2]);
    expect(ids("title text 'program*' OR id == 1")).toEqual([1, 4]);
  });

  it("keeps a TEXT query live: listeners see objects enter and leave it", async () => {
    const realm = open({ path: path(), schema });
    const results = realm.objects<Book>("Book").filtered("title TEXT 'sync -draft'");
    const sizes: number[] = [];
    results.addListener((collection) => sizes.push(collection.length));
    await flushListeners();
    realm.write(() => realm.create("Book", { id: 1, title: "Offline sync", blurb: "" }));
    await flushListeners();
    realm.write(() => {
      realm.objectForPrimaryKey<Book>("Book", 1)!.title = "Offline sync (draft)";
    });
    await flushListeners();
    expect(sizes).toEqual([0, 1, 0]);
  });

  it("still searches after the realm is closed and opened again", () => {
    const file = path();
    const first = open({ path: file, schema });
    first.write(() => first.create("Book", { id: 1, title: "Atlas and Realm", blurb: "" }));
    first.close();
    const again = open({ path: file }); // the schema as the file holds it
    expect(again.schema[0]?.properties.title).toMatchObject({ indexed: "full-text" });
    expect(again.objects("Book").filtered("title TEXT 'atlas'").length).toBe(1);
  });

  it("searches a string primary key declared full-text, which still finds objects by key", () => {
    const realm = open({
      path: path(),
      schema: [
        {
          name: "Tag",
          primaryKey: "label",
          properties: { label: { type: "string", indexed: "full-text" } },
        },
      ],
    });
    realm.write(() => {
      realm.create("Tag", { label: "offline first" });
      realm.create("Tag", { label: "online" });
    });
    expect(realm.objectForPrimaryKey("Tag", "online")).not.toBeNull();
    expect(realm.objects("Tag").filtered("label TEXT 'first'").length).toBe(1);
  });

  it("refuses TEXT on a property without a full-text index, naming it", () => {
    const realm = open({ path: path(), schema });
    const query = () => realm.objects("Book").filtered("blurb TEXT 'realm'");
    expect(query).toThrow(RealmError);
    expect(query).toThrow(/Column has no fulltext index: 'blurb'/);
  });

  it("refuses a full-text index on a property that is not a string when the realm opens", () => {
    expect(() =>
      open({
        path: path(),
        schema: [{ name: "Book", properties: { pages: { type: "int", indexed: "full-text" } } }],
      }),
    ).toThrow("Property 'Book.pages' of type 'int' cannot have a full-text index");
  });
});

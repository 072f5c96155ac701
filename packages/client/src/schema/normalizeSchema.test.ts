import { describe, expect, it } from "vitest";
import { RealmObject } from "../objects/RealmObject.js";
import { normalizeSchema } from "./normalizeSchema.js";
import type { ObjectSchema } from "./types.js";

function properties(schema: ObjectSchema[], name = schema[0]?.name): Record<string, unknown> {
  const object = normalizeSchema(schema).find((o) => o.name === name);
  return Object.fromEntries(
    Object.entries(object?.properties ?? {}).map(([key, p]) => [key, { ...p }]),
  );
}

describe("schema normalisation", () => {
  it("expands every property shorthand the way Realm JS does", () => {
    const props = properties([
      {
        name: "A",
        properties: {
          i: "int",
          s: "string?",
          link: "B",
          list: "int[]",
          optList: "string?[]",
          links: "B[]",
          set: "int<>",
          dict: "string{}",
          linkDict: "B{}",
          m: "mixed",
          c: "counter",
        },
      },
      { name: "B", properties: { x: "int" } },
    ]);
    expect(props).toEqual({
      i: { name: "i", type: "int", optional: false, indexed: false, mapTo: "i" },
      s: { name: "s", type: "string", optional: true, indexed: false, mapTo: "s" },
      link: {
        name: "link",
        type: "object",
        objectType: "B",
        optional: true,
        indexed: false,
        mapTo: "link",
      },
      list: {
        name: "list",
        type: "list",
        objectType: "int",
        optional: false,
        indexed: false,
        mapTo: "list",
      },
      optList: {
        name: "optList",
        type: "list",
        objectType: "string",
        optional: true,
        indexed: false,
        mapTo: "optList",
      },
      links: {
        name: "links",
        type: "list",
        objectType: "B",
        optional: false,
        indexed: false,
        mapTo: "links",
      },
      set: {
        name: "set",
        type: "set",
        objectType: "int",
        optional: false,
        indexed: false,
        mapTo: "set",
      },
      dict: {
        name: "dict",
        type: "dictionary",
        objectType: "string",
        optional: false,
        indexed: false,
        mapTo: "dict",
      },
      linkDict: {
        name: "linkDict",
        type: "dictionary",
        objectType: "B",
        optional: false,
        indexed: false,
        mapTo: "linkDict",
      },
      m: { name: "m", type: "mixed", optional: true, indexed: false, mapTo: "m" },
      c: {
        name: "c",
        type: "int",
        optional: false,
        indexed: false,
        mapTo: "c",
        presentation: "counter",
      },
    });
  });

  it("keeps the full form's options: objectType, optional, default, indexed, mapTo", () => {
    const props = properties([
      {
        name: "A",
        primaryKey: "_id",
        properties: {
          _id: "objectId",
          score: { type: "double", default: 1, indexed: true },
          label: { type: "string", optional: true, mapTo: "label_v2" },
          owner: { type: "B" },
          back: { type: "linkingObjects", objectType: "B", property: "a" },
        },
      },
      { name: "B", properties: { a: "A?" } },
    ]);
    expect(props._id).toMatchObject({ type: "objectId", indexed: true });
    expect(props.score).toMatchObject({ type: "double", default: 1, indexed: true });
    expect(props.label).toMatchObject({ type: "string", optional: true, mapTo: "label_v2" });
    expect(props.owner).toMatchObject({ type: "object", objectType: "B", optional: true });
    expect(props.back).toMatchObject({ type: "linkingObjects", objectType: "B", property: "a" });
  });

  it("accepts classes with a static schema and records the class", () => {
    class Dog extends RealmObject {
      static override schema: ObjectSchema = { name: "Dog", properties: { name: "string" } };
    }
    const [dog] = normalizeSchema([Dog]);
    expect(dog?.ctor).toBe(Dog);
    expect(dog?.embedded).toBe(false);
    expect(() => normalizeSchema([class Plain extends RealmObject {}])).toThrow(
      /Class 'Plain' must have a static schema/,
    );
  });

  it.each([
    [[{ name: "A", properties: { x: "B[]" } }], /'A.x' has unknown object type 'B'/],
    [[{ name: "A", properties: { x: { type: "list" } } }], /needs an objectType/],
    [
      [{ name: "A", properties: { x: { type: "linkingObjects", objectType: "A" } } }],
      /needs a property/,
    ],
    [
      [
        {
          name: "A",
          properties: { x: { type: "linkingObjects", objectType: "A", property: "y" } },
        },
      ],
      /must name a link to 'A'/,
    ],
    [
      [{ name: "A", embedded: true, primaryKey: "x", properties: { x: "int" } }],
      /Embedded object 'A' cannot have a primary key/,
    ],
    [
      [
        { name: "A", properties: { x: "E<>" } },
        { name: "E", embedded: true, properties: {} },
      ],
      /cannot be a set of embedded objects/,
    ],
    [
      [
        { name: "A", properties: { x: "Z?" } },
        { name: "Z", asymmetric: true, properties: {} },
      ],
      /cannot link to asymmetric type 'Z'/,
    ],
    [
      [{ name: "A", properties: { x: { type: "string", presentation: "counter" } } }],
      /can only be a counter if it is an int/,
    ],
    [[{ name: "", properties: {} }], /needs a name/],
  ])("rejects invalid schema %#", (schema, message) => {
    expect(() => normalizeSchema(schema as ObjectSchema[])).toThrow(message);
  });

  it("keeps a full-text index on a string property and refuses it on any other type", () => {
    const props = properties([
      {
        name: "Book",
        properties: {
          title: { type: "string", indexed: "full-text" },
          note: { type: "string", optional: true, indexed: "full-text" },
        },
      },
    ]);
    expect(props.title).toMatchObject({ type: "string", indexed: "full-text" });
    expect(props.note).toMatchObject({ type: "string", optional: true, indexed: "full-text" });
    const keyed = properties([
      {
        name: "Tag",
        primaryKey: "label",
        properties: { label: { type: "string", indexed: "full-text" } },
      },
    ]);
    expect(keyed.label).toMatchObject({ indexed: "full-text" });
    const refused: [ObjectSchema["properties"][string], string][] = [
      [{ type: "int", indexed: "full-text" }, "of type 'int'"],
      [{ type: "mixed", indexed: "full-text" }, "of type 'mixed'"],
      [{ type: "list", objectType: "string", indexed: "full-text" }, "of type 'list<string>'"],
    ];
    for (const [property, type] of refused) {
      expect(() => normalizeSchema([{ name: "Book", properties: { p: property } }])).toThrow(
        `Property 'Book.p' ${type} cannot have a full-text index: only string properties can`,
      );
    }
  });
});

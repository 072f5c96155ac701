import { SyncProtocolError, type Instruction } from "@atoll/protocol";
import type { RqlSchema } from "@atoll/rql";
import { Decimal128, Long, ObjectId, UUID } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Document } from "../data/types.js";
import { applyToDocument, replayOnDocument } from "./documentPatch.js";
import { instructionsForChange, instructionsForDocument } from "./documentInstructions.js";

const schema: RqlSchema = {
  Person: {
    name: "Person",
    primaryKey: "_id",
    properties: {
      _id: { name: "_id", type: "objectId", optional: false },
      name: { name: "name", type: "string", optional: false },
      age: { name: "age", type: "int", optional: true },
      height: { name: "height", type: "double", optional: true },
      balance: { name: "balance", type: "decimal128", optional: true },
      born: { name: "born", type: "date", optional: true },
      token: { name: "token", type: "uuid", optional: true },
      anything: { name: "anything", type: "mixed", optional: true },
      many: { name: "many", type: "mixed", collection: "list", optional: true },
      named: { name: "named", type: "mixed", collection: "dictionary", optional: true },
      tags: { name: "tags", type: "string", collection: "list", optional: false },
      lucky: { name: "lucky", type: "int", collection: "set", optional: false },
      scores: { name: "scores", type: "double", collection: "dictionary", optional: false },
      home: { name: "home", type: "object", objectType: "Address", optional: true },
      past: {
        name: "past",
        type: "object",
        objectType: "Address",
        collection: "list",
        optional: false,
      },
      friend: { name: "friend", type: "object", objectType: "Person", optional: true },
    },
  },
  Address: {
    name: "Address",
    embedded: true,
    properties: {
      city: { name: "city", type: "string", optional: false },
      zip: { name: "zip", type: "int", optional: true },
    },
  },
};

const dictionaryKey = fc
  .string({ minLength: 1 })
  .filter((k) => !k.includes(".") && !k.startsWith("$") && k !== "__proto__");

/** A mixed value: a scalar, or lists and dictionaries of mixed values a few levels deep. */
const { mixedValue } = fc.letrec<{ mixedValue: unknown }>((tie) => ({
  mixedValue: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.double({ noNaN: true, noInteger: true }),
    fc.array(tie("mixedValue"), { maxLength: 3 }),
    fc.dictionary(dictionaryKey, tie("mixedValue"), { maxKeys: 3 }),
  ),
}));

const address = fc.record({ city: fc.string(), zip: fc.option(fc.integer(), { nil: null }) });
const objectId = fc
  .uint8Array({ minLength: 12, maxLength: 12 })
  .map((bytes) => new ObjectId(bytes));
const person = fc.record(
  {
    _id: objectId,
    name: fc.string(),
    age: fc.option(fc.integer(), { nil: null }),
    height: fc.option(fc.double({ noNaN: true }), { nil: null }),
    balance: fc.option(
      fc.integer().map((n) => Decimal128.fromString(`${n}.25`)),
      { nil: null },
    ),
    born: fc.option(fc.date({ noInvalidDate: true }), { nil: null }),
    token: fc.option(
      fc.uuid().map((s) => new UUID(s)),
      { nil: null },
    ),
    anything: mixedValue,
    many: fc.array(mixedValue, { maxLength: 3 }),
    named: fc.dictionary(dictionaryKey, mixedValue, { maxKeys: 3 }),
    tags: fc.array(fc.string(), { maxLength: 4 }),
    lucky: fc.uniqueArray(fc.integer({ min: -50, max: 50 }), { maxLength: 4 }),
    scores: fc.dictionary(dictionaryKey, fc.double({ noNaN: true })),
    home: fc.option(address, { nil: null }),
    past: fc.array(address, { maxLength: 3 }),
    friend: fc.option(objectId, { nil: null }),
  },
  { requiredKeys: ["_id", "name", "tags", "lucky", "scores", "past"] },
);

function replay(instructions: readonly Instruction[], start?: Document): Document | undefined {
  return instructions.reduce<Document | undefined>(
    (doc, instruction) => applyToDocument(doc, instruction),
    start,
  );
}

/** UUIDs come back as UUID instances; compare them (and everything else) by EJSON text. */
function canonical(doc: Document | undefined): string {
  return JSON.stringify(doc, (_key, value: unknown) =>
    value instanceof UUID ? `uuid:${value.toHexString()}` : value,
  );
}

describe("documents as sync instructions", () => {
  it("recreates any document of the model from its instructions (generated documents)", () => {
    fc.assert(
      fc.property(person, (doc) => {
        const instructions = instructionsForDocument(schema, "Person", doc);
        expect(instructions[0]).toMatchObject({ type: "CreateObject", table: "Person" });
        expect(canonical(replay(instructions))).toBe(canonical(doc));
      }),
      { numRuns: 200 },
    );
  });

  it("types values by the model: ints as int64, doubles as doubles, links by primary key", () => {
    const friend = new ObjectId();
    const doc = {
      _id: new ObjectId(),
      name: "Ann",
      age: 3,
      height: 2,
      tags: [],
      lucky: [],
      scores: {},
      past: [],
      friend,
    };
    const instructions = instructionsForDocument(schema, "Person", doc);
    const valueAt = (field: string) =>
      instructions.find(
        (i): i is Extract<Instruction, { type: "Update" }> =>
          i.type === "Update" && i.path[0] === field,
      )?.value;
    expect(valueAt("age")).toEqual(Long.fromNumber(3));
    expect(valueAt("height")).toBe(2);
    expect(valueAt("friend")).toEqual({ $link: { table: "Person", pk: friend } });
  });

  it("sends a list or dictionary in a mixed field as a new collection, then its contents", () => {
    const _id = new ObjectId();
    const doc = { _id, name: "Ann", anything: ["a", { k: 1 }], tags: [], lucky: [], scores: {} };
    const instructions = instructionsForDocument(schema, "Person", { ...doc, past: [] });
    const pk = _id;
    expect(instructions.filter((i) => "path" in i && i.path[0] === "anything")).toEqual([
      { type: "Update", table: "Person", pk, path: ["anything"], value: { $list: true } },
      {
        type: "ArrayInsert",
        table: "Person",
        pk,
        path: ["anything", 0],
        value: "a",
        priorSize: 0,
      },
      {
        type: "ArrayInsert",
        table: "Person",
        pk,
        path: ["anything", 1],
        value: { $dictionary: true },
        priorSize: 1,
      },
      {
        type: "Update",
        table: "Person",
        pk,
        path: ["anything", 1, "k"],
        value: Long.fromNumber(1),
      },
    ]);
  });

  it("sends a change made outside sync as the touched fields, and a delete as an erase", () => {
    const _id = new ObjectId();
    const before = { _id, name: "Ann", age: 3, tags: ["a"], lucky: [], scores: {}, past: [] };
    const after = { ...before, tags: ["a", "b"], name: "Anna" };
    const update = instructionsForChange(schema, "Person", {
      seq: 2,
      operationType: "update",
      clusterTime: new Date(),
      ns: { db: "d", coll: "Person" },
      documentKey: { _id },
      fullDocument: after,
      updateDescription: { updatedFields: { "tags.1": "b", name: "Anna" }, removedFields: [] },
    });
    expect(new Set(update.map((i) => ("path" in i ? i.path[0] : i.type)))).toEqual(
      new Set(["name", "tags"]),
    );
    expect(canonical(replay(update, before))).toBe(canonical(after));
    const erase = instructionsForChange(schema, "Person", {
      seq: 3,
      operationType: "delete",
      clusterTime: new Date(),
      ns: { db: "d", coll: "Person" },
      documentKey: { _id },
    });
    expect(erase).toEqual([{ type: "EraseObject", table: "Person", pk: _id }]);
  });
});

describe("applying instructions to documents", () => {
  const pk = new ObjectId();
  const base: Document = {
    _id: pk,
    name: "Ann",
    tags: ["a", "b"],
    lucky: [1],
    scores: { x: 1 },
    count: 5,
  };
  const at = (type: Instruction["type"], rest: Record<string, unknown>) =>
    ({ type, table: "Person", pk, ...rest }) as Instruction;

  it("applies every instruction kind without touching its input", () => {
    const before = canonical(base);
    expect(
      applyToDocument(base, at("ArrayInsert", { path: ["tags", 1], value: "z", priorSize: 2 }))
        ?.tags,
    ).toEqual(["a", "z", "b"]);
    expect(
      applyToDocument(base, at("ArrayErase", { path: ["tags", 0], priorSize: 2 }))?.tags,
    ).toEqual(["b"]);
    expect(
      applyToDocument(base, at("ArrayMove", { path: ["tags", 0], to: 1, priorSize: 2 }))?.tags,
    ).toEqual(["b", "a"]);
    expect(applyToDocument(base, at("Update", { path: ["tags", 1], value: "q" }))?.tags).toEqual([
      "a",
      "q",
    ]);
    expect(
      applyToDocument(base, at("SetInsert", { path: ["lucky"], value: Long.fromNumber(1) }))?.lucky,
    ).toEqual([1]);
    expect(
      applyToDocument(base, at("SetInsert", { path: ["lucky"], value: Long.fromNumber(2) }))?.lucky,
    ).toEqual([1, 2]);
    expect(
      applyToDocument(base, at("SetErase", { path: ["lucky"], value: Long.fromNumber(1) }))?.lucky,
    ).toEqual([]);
    expect(applyToDocument(base, at("Erase", { path: ["scores", "x"] }))?.scores).toEqual({});
    expect(
      applyToDocument(base, at("Clear", { path: ["tags"], collectionType: "list" }))?.tags,
    ).toEqual([]);
    expect(
      applyToDocument(base, at("AddInteger", { path: ["count"], value: Long.fromNumber(-7) }))
        ?.count,
    ).toBe(-2);
    expect(
      applyToDocument(base, at("AddInteger", { path: ["missing"], value: Long.fromNumber(1) }))
        ?.missing,
    ).toBeUndefined();
    expect(applyToDocument(base, at("EraseObject", {}))).toBeUndefined();
    expect(applyToDocument(base, at("CreateObject", {}))).toBe(base);
    expect(canonical(base)).toBe(before);
  });

  it("refuses paths that do not resolve with bad_changeset (212)", () => {
    const bad = [
      at("Update", { path: ["tags", 7], value: "x" }),
      at("ArrayInsert", { path: ["tags", 3], value: "x", priorSize: 2 }),
      at("ArrayErase", { path: ["name", 0], priorSize: 1 }),
      // (["nowhere", "deep"] alone would start a dictionary: see documentPatch.test.ts.)
      at("Update", { path: ["nowhere", "deep", "deeper"], value: 1 }),
    ];
    for (const instruction of bad) {
      expect(() => applyToDocument(base, instruction)).toThrow(SyncProtocolError);
      try {
        applyToDocument(base, instruction);
      } catch (error) {
        expect((error as SyncProtocolError).code).toBe(212);
      }
    }
    expect(() => applyToDocument(undefined, at("Update", { path: ["name"], value: "x" }))).toThrow(
      /does not exist/,
    );
  });
});

describe("replaying instructions on a document", () => {
  const pk = new ObjectId();
  const at = (type: Instruction["type"], rest: Record<string, unknown> = {}) =>
    ({ type, table: "Person", pk, ...rest }) as Instruction;
  const step: fc.Arbitrary<Instruction> = fc.oneof(
    fc.constant(at("CreateObject")),
    fc.constant(at("EraseObject")),
    fc
      .record({ field: fc.constantFrom("name", "age", "__proto__"), value: fc.string() })
      .map(({ field, value }) => at("Update", { path: [field], value })),
    fc.string().map((value) => at("ArrayInsert", { path: ["tags", 0], value, priorSize: 0 })),
    fc.string().map((value) => at("Update", { path: ["home", "city"], value })),
    fc.constant(at("Update", { path: ["home"], value: { $object: true } })),
    fc.constant(at("Erase", { path: ["name"] })),
    fc.constant(at("ArrayErase", { path: ["tags", 0], priorSize: 1 })),
    fc.constant(at("Clear", { path: ["tags"], collectionType: "list" })),
    fc.integer().map((n) => at("SetInsert", { path: ["lucky"], value: Long.fromNumber(n % 3) })),
    fc.string().map((key) => at("Update", { path: ["scores", key || "k"], value: 1.5 })),
  );

  it("gives what applying the instructions one by one gives, leaving its input alone", () => {
    fc.assert(
      fc.property(
        fc.option(person, { nil: undefined }),
        fc.array(step, { maxLength: 8 }),
        (start, steps) => {
          const before = canonical(start);
          const attempt = (apply: () => Document | undefined): string => {
            try {
              return canonical(apply());
            } catch (error) {
              return `error: ${(error as Error).message}`;
            }
          };
          const oneByOne = attempt(() =>
            steps.reduce<Document | undefined>(
              (doc, instruction) =>
                doc === undefined && instruction.type !== "CreateObject"
                  ? doc
                  : applyToDocument(doc, instruction),
              start,
            ),
          );
          expect(attempt(() => replayOnDocument(start, steps))).toBe(oneByOne);
          expect(canonical(start)).toBe(before);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("copies each container of its input once: a run of list inserts changes one copy in place", () => {
    const start: Document = { _id: pk, name: "Ann", tags: ["a"], home: { city: "X" } };
    const owns = new WeakSet<object>();
    const first = applyToDocument(
      start,
      at("ArrayInsert", { path: ["tags", 1], value: "b", priorSize: 1 }),
      owns,
    )!;
    const list = first.tags;
    let doc: Document | undefined = first;
    for (let i = 2; i < 1000; i++)
      doc = applyToDocument(
        doc,
        at("ArrayInsert", { path: ["tags", i], value: `t${i}`, priorSize: i }),
        owns,
      );
    expect(doc).toBe(first);
    expect(doc!.tags).toBe(list);
    expect((doc!.tags as unknown[]).length).toBe(1000);
    expect(doc!.home).toBe(start.home); // untouched containers are shared, never changed
    expect(start.tags).toEqual(["a"]);
  });
});

import {
  decodeChangeset,
  encodeChangeset,
  type Instruction,
  type InstructionValue,
} from "@atoll/protocol";
import type { RqlSchema } from "@atoll/rql";
import { Long } from "bson";
import { describe, expect, it } from "vitest";
import {
  changesetWithoutNestedCollections,
  isInsideMixed,
  withoutNestedCollections,
} from "./nestedCollections.js";

const schema: RqlSchema = {
  Item: {
    name: "Item",
    primaryKey: "_id",
    properties: {
      _id: { name: "_id", type: "string", optional: false },
      data: { name: "data", type: "mixed", optional: true },
      many: { name: "many", type: "mixed", collection: "list", optional: true },
      notes: { name: "notes", type: "string", collection: "dictionary", optional: true },
      box: { name: "box", type: "object", objectType: "Box", optional: true },
    },
  },
  Box: {
    name: "Box",
    embedded: true,
    properties: { inner: { name: "inner", type: "mixed", optional: true } },
  },
};

const pk = "a";
const update = (path: (string | number)[], value: InstructionValue) =>
  ({ type: "Update", table: "Item", pk, path, value }) as Instruction;

describe("nested collections for peers that cannot hold them", () => {
  it("knows which paths go below a mixed value, through embedded objects and collections", () => {
    expect(isInsideMixed(schema, "Item", ["data"])).toBe(false);
    expect(isInsideMixed(schema, "Item", ["data", 0])).toBe(true);
    expect(isInsideMixed(schema, "Item", ["data", "k", 1])).toBe(true);
    expect(isInsideMixed(schema, "Item", ["many", 0])).toBe(false);
    expect(isInsideMixed(schema, "Item", ["many", 0, "k"])).toBe(true);
    expect(isInsideMixed(schema, "Item", ["notes", "k"])).toBe(false);
    expect(isInsideMixed(schema, "Item", ["box", "inner"])).toBe(false);
    expect(isInsideMixed(schema, "Item", ["box", "inner", "k"])).toBe(true);
    expect(isInsideMixed(schema, "Item", ["unknown", "k"])).toBe(false);
  });

  it("sends null for a new list or dictionary and nothing of the changes inside one", () => {
    const instructions: Instruction[] = [
      { type: "CreateObject", table: "Item", pk },
      update(["data"], { $list: true }),
      {
        type: "ArrayInsert",
        table: "Item",
        pk,
        path: ["data", 0],
        value: Long.ONE,
        priorSize: 0,
      },
      {
        type: "ArrayInsert",
        table: "Item",
        pk,
        path: ["many", 0],
        value: { $dictionary: true },
        priorSize: 0,
      },
      update(["many", 0, "k"], "v"),
      update(["notes", "k"], "v"),
    ];
    expect(withoutNestedCollections(schema, instructions)).toEqual([
      { type: "CreateObject", table: "Item", pk },
      update(["data"], null),
      { type: "ArrayInsert", table: "Item", pk, path: ["many", 0], value: null, priorSize: 0 },
      update(["notes", "k"], "v"),
    ]);
    const bytes = encodeChangeset(instructions);
    expect(decodeChangeset(changesetWithoutNestedCollections(schema, bytes))).toHaveLength(4);
  });

  it("gives back the same bytes when nothing is nested", () => {
    const bytes = encodeChangeset([update(["data"], "plain"), update(["notes", "k"], "v")]);
    expect(changesetWithoutNestedCollections(schema, bytes)).toBe(bytes);
  });
});

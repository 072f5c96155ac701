/**
 * Upload validation of lists and dictionaries inside mixed values: accepted in a mixed
 * property (or a collection of mixed) at any depth the limits allow, refused anywhere else.
 */
import {
  SyncErrorCode,
  SyncProtocolError,
  type Instruction,
  type InstructionValue,
  type Path,
} from "@atoll/protocol";
import type { RqlSchema } from "@atoll/rql";
import { describe, expect, it } from "vitest";
import type { SyncModel } from "../syncSchema.js";
import { syncLimits } from "./syncLimits.js";
import { validateUpload } from "./validateUpload.js";

const schema: RqlSchema = {
  Item: {
    name: "Item",
    primaryKey: "_id",
    properties: {
      _id: { name: "_id", type: "string", optional: false },
      data: { name: "data", type: "mixed", optional: true },
      many: { name: "many", type: "mixed", collection: "list", optional: true },
      bag: { name: "bag", type: "mixed", collection: "set", optional: true },
      name: { name: "name", type: "string", optional: true },
      notes: { name: "notes", type: "string", collection: "dictionary", optional: true },
    },
  },
};
const model: SyncModel = {
  schema,
  tables: new Map([
    ["Item", { name: "Item", database: "d", collection: "Item", asymmetric: false }],
  ]),
};
const upload = { model, developmentMode: false, limits: syncLimits({ maxPathDepth: 5 }) };

const pk = "x";
const update = (path: Path, value: InstructionValue): Instruction => ({
  type: "Update",
  table: "Item",
  pk,
  path,
  value,
});
const insert = (path: Path, value: InstructionValue): Instruction => ({
  type: "ArrayInsert",
  table: "Item",
  pk,
  path,
  value,
  priorSize: 0,
});

function refusal(instructions: Instruction[]): SyncProtocolError | undefined {
  try {
    validateUpload(instructions, upload, 1);
    return undefined;
  } catch (error) {
    if (error instanceof SyncProtocolError) return error;
    throw error;
  }
}

describe("upload validation of collections inside mixed values", () => {
  it("accepts new collections and changes inside them in mixed values, to the depth allowed", () => {
    expect(
      refusal([
        update(["data"], { $dictionary: true }),
        update(["data", "tags"], { $list: true }),
        insert(["data", "tags", 0], { $dictionary: true }),
        update(["data", "tags", 0, "k"], "v"),
        { type: "Erase", table: "Item", pk, path: ["data", "tags", 0, "k"] },
        { type: "ArrayMove", table: "Item", pk, path: ["data", "tags", 0], to: 0, priorSize: 1 },
        { type: "Clear", table: "Item", pk, path: ["data", "tags"], collectionType: "list" },
        { type: "Clear", table: "Item", pk, path: ["data"], collectionType: "dictionary" },
        insert(["many", 0], { $list: true }),
        insert(["many", 0, 0], "x"),
        update(["many", 0], { $dictionary: true }),
      ]),
    ).toBeUndefined();
  });

  it.each([
    ["a new list in a string", [update(["name"], { $list: true })]],
    [
      "a new dictionary as a string dictionary's value",
      [update(["notes", "k"], { $dictionary: true })],
    ],
    [
      "a new list in a set of mixed",
      [{ type: "SetInsert", table: "Item", pk, path: ["bag"], value: { $list: true } }],
    ],
    ["a path below a string", [update(["name", "k"], "v")]],
    ["a path below a string dictionary's value", [update(["notes", "k", "deeper"], "v")]],
    ["a path into a set of mixed", [update(["bag", 0], "v")]],
    [
      "a set cleared inside a mixed value",
      [{ type: "Clear", table: "Item", pk, path: ["data", "k"], collectionType: "set" }],
    ],
    ["a key starting with $ inside a mixed value", [update(["data", "$where"], "v")]],
  ] as [string, Instruction[]][])("refuses %s with bad_changeset", (_, instructions) => {
    expect(refusal(instructions)?.code).toBe(SyncErrorCode.BadChangeset);
  });

  it("refuses a path deeper than the limit with limits_exceeded", () => {
    expect(refusal([update(["data", "a", "b", "c", "d", "e"], 1)])?.code).toBe(
      SyncErrorCode.LimitsExceeded,
    );
  });
});

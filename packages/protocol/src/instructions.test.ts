import { createHash } from "node:crypto";
import { Binary, BSON, Decimal128, Long, ObjectId, UUID } from "bson";
import { describe, expect, it } from "vitest";
import {
  ChangesetFormatError,
  INSTRUCTION_SHAPES,
  INSTRUCTIONS_VERSION,
  decodeChangeset,
  encodeChangeset,
} from "./index.js";
import type { Instruction } from "./index.js";

/**
 * One fingerprint per instruction-set version. Changing INSTRUCTION_SHAPES changes the
 * fingerprint: bump INSTRUCTIONS_VERSION, add a history line in instructions.ts, and record the
 * new fingerprint here.
 */
const SHAPE_FINGERPRINTS: Record<number, string> = {
  1: "bdde712e26c3b730",
  // Version 2 changed the wire form only (changesetV2Format.ts), not the instructions.
  2: "bdde712e26c3b730",
};

/** Version 1 bytes as version-1 encoders wrote them: one document per instruction. */
function encodeV1(instructions: readonly unknown[]): Uint8Array {
  return BSON.serialize({ version: 1, instructions });
}

function fingerprint(): string {
  const canonical = Object.keys(INSTRUCTION_SHAPES)
    .sort()
    .map((type) => {
      const fields = INSTRUCTION_SHAPES[type as keyof typeof INSTRUCTION_SHAPES];
      return `${type}(${Object.keys(fields)
        .sort()
        .map((f) => `${f}:${fields[f]}`)
        .join(",")})`;
    })
    .join(";");
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

const pk = new ObjectId("65a1b2c3d4e5f60718293a4b");
const sample: Instruction[] = [
  { type: "CreateObject", table: "Car", pk },
  { type: "Update", table: "Car", pk, path: ["model"], value: "Tesla", isDefault: false },
  { type: "Update", table: "Car", pk, path: ["price"], value: new Decimal128("12.50") },
  {
    type: "Update",
    table: "Car",
    pk,
    path: ["owner"],
    value: { $link: { table: "Person", pk: "ann" } },
  },
  { type: "Update", table: "Car", pk, path: ["engine"], value: { $object: true } },
  { type: "Update", table: "Car", pk, path: ["engine", "hp"], value: Long.fromNumber(300) },
  { type: "AddInteger", table: "Car", pk, path: ["miles"], value: Long.fromNumber(-5) },
  { type: "ArrayInsert", table: "Car", pk, path: ["tags", 0], value: "red", priorSize: 0 },
  { type: "ArrayMove", table: "Car", pk, path: ["tags", 0], to: 1, priorSize: 2 },
  { type: "ArrayErase", table: "Car", pk, path: ["tags", 1], priorSize: 2 },
  { type: "Update", table: "Car", pk, path: ["tags", 0], value: "blue", priorSize: 1 },
  { type: "Clear", table: "Car", pk, path: ["tags"], collectionType: "list" },
  {
    type: "SetInsert",
    table: "Car",
    pk,
    path: ["ids"],
    value: new UUID("0936f9e0-5fcf-4839-804c-d9a0730e656f"),
  },
  {
    type: "SetErase",
    table: "Car",
    pk,
    path: ["blobs"],
    value: new Binary(new Uint8Array([1, 2])),
  },
  { type: "Update", table: "Car", pk, path: ["extras", "color"], value: 1.5 },
  { type: "Erase", table: "Car", pk, path: ["extras", "color"] },
  { type: "Update", table: "Car", pk, path: ["seen"], value: new Date(0) },
  { type: "EraseObject", table: "Person", pk: Long.fromNumber(7) },
];

describe("changeset instructions", () => {
  it("pins the wire shape to the instruction-set version", () => {
    expect(
      SHAPE_FINGERPRINTS[INSTRUCTIONS_VERSION],
      "shape changed: bump INSTRUCTIONS_VERSION",
    ).toBe(fingerprint());
  });

  it("round-trips every instruction and value kind through the BSON encoding", () => {
    const decoded = decodeChangeset(encodeChangeset(sample));
    expect(decoded).toHaveLength(sample.length);
    expect(decoded).toEqual(sample);
    expect(decoded[5]?.type === "Update" && decoded[5].value).toBeInstanceOf(Long);
  });

  it("still reads version 1 changesets", () => {
    const decoded = decodeChangeset(encodeV1(sample));
    expect(decoded).toEqual(sample);
    expect(decoded[5]?.type === "Update" && decoded[5].value).toBeInstanceOf(Long);
  });

  it("pins the version 2 wire form", () => {
    expect(INSTRUCTIONS_VERSION).toBe(2);
    const document = BSON.deserialize(encodeChangeset(sample), { promoteLongs: false });
    expect(Object.keys(document)).toEqual(["version", "names", "ops", "values"]);
    expect(document.version).toBe(2);
    // prettier-ignore
    expect(document.names).toEqual([
      "Car", "model", "Tesla", "price", "owner", "engine", "hp", "miles", "tags", "red", "blue",
      "ids", "blobs", "extras", "color", "seen", "Person",
    ]);
    // One line per instruction: op code, operands. A path is its length, a name, then an index
    // as itself + 1 or a string as 0 and a name; a value slot is a name + 1 or 0 (next value).
    // prettier-ignore
    expect([...(document.ops as Binary).value()]).toEqual([
      0, 0, 0,             // select Car, values[0]
      1,                   // CreateObject
      4, 1, 1, 1, 3,       // Update model, isDefault false, "Tesla"
      3, 1, 3, 0,          // Update price
      3, 1, 4, 0,          // Update owner
      3, 1, 5, 0,          // Update engine
      4, 2, 5, 0, 6, 0, 0, // Update engine.hp
      5, 1, 7, 0,          // AddInteger miles
      6, 2, 8, 1, 0, 10,   // ArrayInsert tags[0], priorSize 0, "red"
      7, 2, 8, 1, 1, 2,    // ArrayMove tags[0] to 1, priorSize 2
      8, 2, 8, 2, 2,       // ArrayErase tags[1], priorSize 2
      4, 2, 8, 1, 4, 1, 11, // Update tags[0], priorSize 1, "blue"
      9, 1, 8, 0,          // Clear tags, list
      10, 1, 11, 0,        // SetInsert ids
      11, 1, 12, 0,        // SetErase blobs
      4, 2, 13, 0, 14, 0, 0, // Update extras.color
      12, 2, 13, 0, 14,    // Erase extras.color
      3, 1, 15, 0,         // Update seen
      0, 16, 0,            // select Person
      2,                   // EraseObject
    ]);
    expect(document.values).toEqual([
      pk,
      new Decimal128("12.50"),
      { $link: { table: "Person", pk: "ann" } },
      { $object: true },
      Long.fromNumber(300),
      Long.fromNumber(-5),
      new UUID("0936f9e0-5fcf-4839-804c-d9a0730e656f"),
      new Binary(new Uint8Array([1, 2])),
      1.5,
      new Date(0),
      Long.fromNumber(7),
    ]);
  });

  it("refuses a changeset from another instruction-set version", () => {
    const bytes = encodeChangeset(sample);
    const other = new Uint8Array(bytes);
    // The version is the first field; make it version 99 by re-encoding.
    const forged = Buffer.from(other);
    forged.writeInt32LE(99, 4 + 1 + "version".length + 1);
    expect(() => decodeChangeset(forged)).toThrow(/instruction-set version 99, expected 1 or 2/);
  });

  it.each([
    [{ type: "Explode", table: "Car", pk: null }, /unknown type "Explode"/],
    [{ type: "CreateObject", table: "", pk: null }, /invalid 'table'/],
    [{ type: "CreateObject", table: "Car", pk: 1.5 }, /invalid 'pk'/],
    [{ type: "Update", table: "Car", pk: null, path: [], value: 1 }, /invalid 'path'/],
    [{ type: "Update", table: "Car", pk: null, path: ["a", -1], value: 1 }, /invalid 'path'/],
    [{ type: "ArrayErase", table: "Car", pk: null, path: ["a", 0] }, /invalid 'priorSize'/],
    [
      { type: "Clear", table: "Car", pk: null, path: ["a"], collectionType: "bag" },
      /invalid 'collectionType'/,
    ],
    [
      { type: "Update", table: "Car", pk: null, path: ["a"], value: { nested: 1 } },
      /invalid 'value'/,
    ],
    [{ type: "CreateObject", table: "Car", pk: null, extra: 1 }, /unknown field 'extra'/],
  ])("rejects a malformed version 1 instruction %#", (instruction, message) => {
    const bytes = encodeV1([instruction]);
    expect(() => decodeChangeset(bytes)).toThrow(ChangesetFormatError);
    expect(() => decodeChangeset(bytes)).toThrow(message);
  });

  it("carries new lists and dictionaries in mixed values and paths into them", () => {
    const nested: Instruction[] = [
      { type: "Update", table: "Car", pk, path: ["data"], value: { $dictionary: true } },
      { type: "Update", table: "Car", pk, path: ["data", "tags"], value: { $list: true } },
      {
        type: "ArrayInsert",
        table: "Car",
        pk,
        path: ["data", "tags", 0],
        value: { $dictionary: true },
        priorSize: 0,
      },
      {
        type: "Update",
        table: "Car",
        pk,
        path: ["data", "tags", 0, "k"],
        value: Long.fromNumber(1),
      },
      { type: "Erase", table: "Car", pk, path: ["data", "tags", 0, "k"] },
    ];
    expect(decodeChangeset(encodeChangeset(nested))).toEqual(nested);
    expect(decodeChangeset(encodeV1(nested))).toEqual(nested);
  });

  it.each([
    { $list: false },
    { $list: true, $dictionary: true },
    { $dictionary: 1 },
    { $dictionary: true, extra: 1 },
  ])("rejects a malformed nested collection value %j", (value) => {
    const bytes = encodeV1([{ type: "Update", table: "Car", pk: null, path: ["a"], value }]);
    expect(() => decodeChangeset(bytes)).toThrow(/invalid 'value'/);
  });

  it("rejects bytes that are not BSON with a coded error", () => {
    try {
      decodeChangeset(new Uint8Array([1, 2, 3]));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ChangesetFormatError);
      expect((error as ChangesetFormatError).code).toBe("BadChangeset");
    }
  });
});

import { Binary, BSON, Decimal128, Long, ObjectId, UUID } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeChangeset, encodeChangeset } from "./changesetCodec.js";
import { instructionList } from "./test-support/instructionArbitraries.js";
import type { Instruction } from "./instructions.js";

/** Version 1 bytes, as version-1 encoders wrote them: the oracle for what decoding yields. */
function encodeV1(instructions: readonly Instruction[]): Uint8Array {
  return BSON.serialize({ version: 1, instructions });
}

/**
 * A value spelled out with its type, so that equal-looking values of different types (Long and
 * number, -0 and 0, UUID and Binary) differ; object keys are sorted (order inside an instruction
 * carries no meaning).
 */
function typed(value: unknown): unknown {
  if (typeof value === "number") return Object.is(value, -0) ? "number:-0" : `number:${value}`;
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(typed);
  if (value instanceof UUID) return `UUID:${value.toHexString()}`;
  if (value instanceof Binary)
    return `Binary(${value.sub_type}):${Buffer.from(value.value()).toString("hex")}`;
  if (value instanceof Long) return `Long:${value.toString()}`;
  if (value instanceof ObjectId) return `ObjectId:${value.toHexString()}`;
  if (value instanceof Decimal128) return `Decimal128:${value.toString()}`;
  if (value instanceof Date) return `Date:${value.getTime()}`;
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, typed((value as Record<string, unknown>)[key])]),
  );
}

describe("changeset codec (instruction-set version 2)", () => {
  it("gives back exactly the instructions it was given, types included", () => {
    fc.assert(
      fc.property(instructionList, (instructions) => {
        const decoded = decodeChangeset(encodeChangeset(instructions));
        expect(typed(decoded)).toEqual(typed(instructions));
      }),
      { numRuns: 500 },
    );
  });

  it("decodes to what the version 1 encoding decodes to", () => {
    fc.assert(
      fc.property(instructionList, (instructions) => {
        expect(decodeChangeset(encodeChangeset(instructions))).toStrictEqual(
          decodeChangeset(encodeV1(instructions)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("still reads version 1 changesets as they were written", () => {
    fc.assert(
      fc.property(instructionList, (instructions) => {
        expect(typed(decodeChangeset(encodeV1(instructions)))).toEqual(typed(instructions));
      }),
      { numRuns: 200 },
    );
  });

  it("keeps updates of one field in order when a run repeats it", () => {
    const pk = "car";
    const instructions: Instruction[] = [
      { type: "Update", table: "Car", pk, path: ["a"], value: 1 },
      { type: "Update", table: "Car", pk, path: ["b"], value: 2 },
      { type: "Update", table: "Car", pk, path: ["a"], value: 3 },
      { type: "Update", table: "Car", pk, path: ["0"], value: 4 },
      { type: "Update", table: "Car", pk, path: ["__proto__"], value: 5 },
      { type: "Update", table: "Car", pk: "other", path: ["a"], value: 6 },
      { type: "Update", table: "Car", pk, path: ["a"], value: 7 },
    ];
    expect(decodeChangeset(encodeChangeset(instructions))).toStrictEqual(instructions);
  });

  it("writes no optional field that is undefined", () => {
    const update: Instruction = {
      type: "Update",
      table: "Car",
      pk: null,
      path: ["tags", 0],
      value: "x",
      isDefault: undefined,
      priorSize: 1,
    };
    expect(decodeChangeset(encodeChangeset([update]))).toStrictEqual([
      { type: "Update", table: "Car", pk: null, path: ["tags", 0], value: "x", priorSize: 1 },
    ]);
  });

  it("refuses to encode an instruction it would have to change", () => {
    const broken = [
      { type: "Explode", table: "Car", pk: null },
      { type: "ArrayInsert", table: "Car", pk: null, path: ["tags", 0], priorSize: 0 },
      { type: "CreateObject", table: "Car" },
    ];
    for (const instruction of broken) {
      expect(() => encodeChangeset([instruction as unknown as Instruction])).toThrow(
        /Instruction 0 .*(unknown type|has no)/,
      );
    }
  });
});

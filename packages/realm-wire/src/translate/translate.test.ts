import { ChangesetFormatError } from "@atoll/protocol";
import { Decimal128, Long, ObjectId, UUID } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../../../protocol/src/test-support/fuzzParameters.js";
import { decodeRealmChangeset } from "../changeset/decodeRealmChangeset.js";
import { encodeRealmChangeset } from "../changeset/encodeRealmChangeset.js";
import type { RealmDataInstruction, RealmPayload } from "../changeset/realmInstructions.js";
import { decodeClientMessage } from "../messages/clientMessageCodec.js";
import { readCapturedFrames } from "../test-support/readCaptures.js";
import { realmInstruction } from "../test-support/realmArbitraries.js";
import { atollToRealm } from "./atollToRealm.js";
import { realmToAtoll } from "./realmToAtoll.js";

/** Payloads Atoll holds exactly (a Float needs the schema; Atoll dates have milliseconds). */
function atollHolds(value: RealmPayload, inUpdate: boolean): boolean {
  switch (value.type) {
    case "Float":
    case "List":
    case "Dictionary":
    case "Set":
      return false;
    case "Erased":
      return inUpdate;
    case "Timestamp":
      return (
        value.nanoseconds % 1e6 === 0 &&
        value.seconds < 0n === value.nanoseconds < 0 &&
        value.seconds > -8_000_000_000_000n &&
        value.seconds < 8_000_000_000_000n
      );
    case "Link":
      return value.pk.type !== "GlobalKey";
    default:
      return true;
  }
}

const translatable = realmInstruction.filter((instruction): boolean => {
  // Atoll names every table.
  if (instruction.table === "") return false;
  if (
    "value" in instruction &&
    typeof instruction.value === "object" &&
    instruction.value.type === "Link" &&
    instruction.value.table === ""
  )
    return false;
  switch (instruction.type) {
    case "AddTable":
    case "EraseTable":
    case "AddColumn":
    case "EraseColumn":
      return false;
    case "Clear":
      return instruction.collectionType !== "Single";
    case "Update":
      // realm-core erases a dictionary key with is_default false, and Atoll's Erase has no flag.
      if (instruction.value.type === "Erased" && instruction.isDefault === true) return false;
      return atollHolds(instruction.value, !(typeof instruction.path.at(-1) === "number"));
    case "ArrayInsert":
    case "SetInsert":
    case "SetErase":
      return atollHolds(instruction.value, false);
    default:
      return true;
  }
}) as fc.Arbitrary<RealmDataInstruction>;

describe("translation between realm-core's instructions and Atoll's", () => {
  it("data instructions survive realm-core → Atoll (validated) → realm-core", () => {
    fc.assert(
      fc.property(fc.array(translatable, { maxLength: 8 }), (instructions) => {
        const { schema, instructions: atoll } = realmToAtoll(instructions);
        expect(schema).toEqual([]);
        expect(atollToRealm(atoll)).toEqual(instructions);
      }),
      fuzzParameters(300),
    );
  });

  it("a recorded write from a realm-core client becomes the Atoll instructions of the same write", () => {
    const write = readCapturedFrames()
      .filter((frame) => frame.direction === "C->S")
      .map((frame) => decodeClientMessage(frame.bytes))
      .flatMap((message) => (message.type === "upload" ? message.changesets : []))
      .map((entry) => decodeRealmChangeset(entry.changeset))
      .find((instructions) => instructions.some((i) => i.type === "CreateObject"));
    const { instructions } = realmToAtoll(write ?? []);
    const car = new ObjectId("65f1a1b2c3d4e5f601234567");
    const person = new UUID("3b241101-e2bb-4255-8caf-4136c566a962");
    expect(instructions[0]).toEqual({ type: "CreateObject", table: "Car", pk: car });
    expect(instructions).toContainEqual({
      type: "Update",
      table: "Car",
      pk: car,
      path: ["addr"],
      value: { $object: true },
    });
    expect(instructions).toContainEqual({
      type: "Update",
      table: "Car",
      pk: car,
      path: ["addr", "zip"],
      value: Long.fromNumber(12345),
    });
    expect(instructions).toContainEqual({
      type: "Update",
      table: "Car",
      pk: car,
      path: ["attrs", "color"],
      value: "red",
    });
    expect(instructions).toContainEqual({
      type: "Update",
      table: "Car",
      pk: car,
      path: ["owner"],
      value: { $link: { table: "Person", pk: person } },
    });
    expect(instructions).toContainEqual({
      type: "ArrayInsert",
      table: "Car",
      pk: car,
      path: ["tags", 0],
      value: "a",
      priorSize: 0,
    });
    expect(instructions).toContainEqual({
      type: "SetInsert",
      table: "Car",
      pk: car,
      path: ["scores"],
      value: Long.fromNumber(1),
    });
  });

  it("Decimal128 values keep every bit both ways", () => {
    for (const text of [
      "0",
      "-1.5",
      "12345678901234567890.123",
      "1E+6111",
      "-0",
      "NaN",
      "Infinity",
    ]) {
      const value = Decimal128.fromString(text);
      const [realm] = atollToRealm([{ type: "Update", table: "T", pk: null, path: ["d"], value }]);
      const bytes = encodeRealmChangeset([realm!]);
      const back = realmToAtoll(decodeRealmChangeset(bytes)).instructions[0];
      expect(back?.type === "Update" && (back.value as Decimal128).bytes).toEqual(value.bytes);
    }
  });

  it("a number is a Float only where the schema says so", () => {
    const update = { type: "Update" as const, table: "T", pk: null, path: ["f"], value: 1.5 };
    expect(atollToRealm([update])[0]).toMatchObject({ value: { type: "Double", value: 1.5 } });
    const floats = { isFloat: (table: string, field: string) => table === "T" && field === "f" };
    expect(atollToRealm([update], floats)[0]).toMatchObject({
      value: { type: "Float", value: 1.5 },
    });
  });

  it("a new list or dictionary in a mixed value, and paths into it, translate both ways", () => {
    const pk = { type: "Int" as const, value: 1n };
    const realm = [
      {
        type: "Update" as const,
        table: "T",
        pk,
        field: "m",
        path: [],
        value: { type: "List" as const },
        isDefault: false,
      },
      {
        type: "Update" as const,
        table: "T",
        pk,
        field: "m",
        path: [0],
        value: { type: "Dictionary" as const },
        isDefault: false,
      },
    ];
    const atoll = realmToAtoll(realm).instructions;
    expect(atoll).toMatchObject([
      { type: "Update", path: ["m"], value: { $list: true } },
      { type: "Update", path: ["m", 0], value: { $dictionary: true } },
    ]);
    expect(atollToRealm(atoll)).toMatchObject([
      { field: "m", path: [], value: { type: "List" } },
      { field: "m", path: [0], value: { type: "Dictionary" } },
    ]);
  });

  it("what Atoll cannot hold yet is refused by name", () => {
    const base = { table: "T", pk: { type: "Int" as const, value: 1n }, field: "m", path: [] };
    expect(() =>
      realmToAtoll([{ type: "Update", ...base, value: { type: "Set" }, isDefault: false }]),
    ).toThrow(/set inside a mixed value is not supported/);
    expect(() =>
      realmToAtoll([
        { type: "CreateObject", table: "T", pk: { type: "GlobalKey", hi: 1n, lo: 2n } },
      ]),
    ).toThrow(ChangesetFormatError);
    expect(() => realmToAtoll([{ type: "CreateObject", table: "", pk: base.pk }])).toThrow(
      /invalid 'table'/,
    );
    expect(() => realmToAtoll([{ type: "Clear", ...base, collectionType: "Single" }])).toThrow(
      /not a collection/,
    );
    const kinds = { collectionOf: () => "list" as const };
    expect(
      realmToAtoll([{ type: "Clear", ...base, collectionType: "Single" }], kinds).instructions,
    ).toEqual([
      { type: "Clear", table: "T", pk: Long.fromNumber(1), path: ["m"], collectionType: "list" },
    ]);
  });
});

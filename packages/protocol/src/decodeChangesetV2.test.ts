import { Binary, BSON, Code, DBRef, Long, MinKey, ObjectId, Timestamp } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeChangeset, encodeChangeset } from "./changesetCodec.js";
import { Op } from "./changesetV2Format.js";
import { ChangesetFormatError, validateInstruction } from "./instructions.js";
import { instructionList } from "./test-support/instructionArbitraries.js";
import { VarintWriter } from "./varintBytes.js";

/** Decoding untrusted bytes either gives well-formed instructions or a ChangesetFormatError. */
function decodesOrRefuses(bytes: Uint8Array): void {
  let decoded: unknown;
  try {
    decoded = decodeChangeset(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ChangesetFormatError);
    return;
  }
  expect(Array.isArray(decoded)).toBe(true);
  (decoded as unknown[]).forEach((instruction, index) => validateInstruction(instruction, index));
}

const pk = new ObjectId("65a1b2c3d4e5f60718293a4b");

/** A version 2 document from its parts, `ops` given as the numbers its varints hold. */
function v2(names: unknown, ops: readonly number[], values: unknown): Uint8Array {
  const writer = new VarintWriter();
  for (const n of ops) writer.write(n);
  return BSON.serialize({ version: 2, names, ops: new Binary(writer.written()), values });
}

const NAMES = ["Car", "model", "tags", "k"];
/** A value slot taking the next value from `values`. */
const NEXT = 0;
const select = [Op.SelectObject, 0, NEXT];
/** Instructions on the selected object, each with the values it takes; the cases break one. */
const WELL_FORMED: [string, number[], unknown[]][] = [
  ["create", [Op.CreateObject], []],
  ["update", [Op.Update, 1, 1, NEXT], ["T"]],
  ["update to a string from the names", [Op.Update, 1, 1, 4], []],
  ["update with options", [Op.UpdateWithOptions, 2, 2, 1, 7, 1, NEXT], ["x"]],
  ["add", [Op.AddInteger, 1, 1, NEXT], [Long.fromNumber(1)]],
  ["insert", [Op.ArrayInsert, 2, 2, 1, 0, NEXT], ["y"]],
  ["move", [Op.ArrayMove, 2, 2, 1, 1, 2]],
  ["erase element", [Op.ArrayErase, 2, 2, 1, 1], []],
  ["clear", [Op.Clear, 1, 2, 1], []],
  ["set insert", [Op.SetInsert, 1, 2, NEXT], [1]],
  ["set erase", [Op.SetErase, 1, 2, NEXT], [1]],
  ["erase key", [Op.Erase, 2, 2, 0, 3], []],
  ["erase object", [Op.EraseObject], []],
].map(([what, ops, values]) => [what as string, ops as number[], (values ?? []) as unknown[]]);

const allOps = () => [...select, ...WELL_FORMED.flatMap(([, ops]) => ops)];
const allValues = () => [pk, ...WELL_FORMED.flatMap(([, , values]) => values)];

/** A changeset of one instruction on `Car` `pk`. */
const one = (ops: number[], values: unknown[] = []) =>
  v2(NAMES, [...select, ...ops], [pk, ...values]);

const cases: [string, Uint8Array, RegExp][] = [
  ["no name list", v2("Car", allOps(), allValues()), /no name list/],
  ["a name that is no string", v2(["Car", 1], allOps(), allValues()), /name 1 is not a string/],
  [
    "op bytes that are no binary",
    BSON.serialize({ version: 2, names: NAMES, ops: [0, 0], values: [pk] }),
    /no op bytes/,
  ],
  [
    "op bytes of another binary subtype",
    BSON.serialize({
      version: 2,
      names: NAMES,
      ops: new Binary(new Uint8Array([0, 0]), 4),
      values: [pk],
    }),
    /no op bytes/,
  ],
  ["no value list", v2(NAMES, allOps(), { 0: pk }), /no value list/],
  [
    "an instruction before any object",
    v2(NAMES, [Op.CreateObject], []),
    /instruction 0 names no object/,
  ],
  [
    "a table index out of range",
    v2(NAMES, [Op.SelectObject, 4, Op.CreateObject], [pk]),
    /\(SelectObject\) has an invalid 'table'/,
  ],
  ["an empty table name", v2([""], [Op.SelectObject, 0, Op.CreateObject], [pk]), /invalid 'table'/],
  [
    "a missing pk",
    v2(NAMES, [Op.SelectObject, 0, NEXT, Op.CreateObject], []),
    /\(SelectObject\) has no 'pk'/,
  ],
  ["a pk that is a double", v2(NAMES, [...select, Op.CreateObject], [1.5]), /invalid 'pk'/],
  ["a pk that is a document", v2(NAMES, [...select, Op.CreateObject], [{ id: 1 }]), /invalid 'pk'/],
  [
    "a pk that is a Timestamp",
    v2(NAMES, [...select, Op.CreateObject], [new Timestamp({ t: 1, i: 1 })]),
    /invalid 'pk'/,
  ],
  [
    "a pk that is binary",
    v2(NAMES, [...select, Op.CreateObject], [new Binary(new Uint8Array(3))]),
    /invalid 'pk'/,
  ],
  [
    "a pk name out of range",
    v2(NAMES, [Op.SelectObject, 0, 9, Op.CreateObject], []),
    /\(SelectObject\) has an invalid 'pk'/,
  ],
  ["a value name out of range", one([Op.Update, 1, 1, 9]), /\(Update\) has an invalid 'value'/],
  ["an unknown op code", one([13]), /instruction 0 \(\?\) has unknown op code 13/],
  [
    "a truncated varint",
    BSON.serialize({
      version: 2,
      names: NAMES,
      ops: new Binary(new Uint8Array([Op.SelectObject, 0, NEXT, Op.Update, 1, 0x81])),
      values: [pk],
    }),
    /instruction 0 \(Update\) has an invalid 'path'/,
  ],
  [
    "an oversized varint",
    BSON.serialize({
      version: 2,
      names: NAMES,
      ops: new Binary(new Uint8Array(9).fill(0xff)),
      values: [],
    }),
    /instruction 0 \(\?\) has an invalid 'op code'/,
  ],
  ["a path of no elements", one([Op.Erase, 0]), /\(Erase\) has an invalid 'path'/],
  ["a path name out of range", one([Op.Erase, 1, 4]), /invalid 'path'/],
  ["a path string out of range", one([Op.Erase, 2, 1, 0, 9]), /invalid 'path'/],
  ["a path cut short", one([Op.Erase, 3, 1, 2]), /invalid 'path'/],
  [
    "a plain update of a deep path",
    one([Op.Update, 2, 1, 2], ["x"]),
    /\(Update\) has an invalid 'path'/,
  ],
  ["an update without value", one([Op.Update, 1, 1, NEXT]), /\(Update\) has no 'value'/],
  [
    "a value that is a document",
    one([Op.Update, 1, 1, NEXT], [{ b: 1 }]),
    /\(Update\) has an invalid 'value'/,
  ],
  [
    "a value that is a DBRef",
    one([Op.Update, 1, 1, NEXT], [new DBRef("c", new ObjectId())]),
    /invalid 'value'/,
  ],
  ["a value that is code", one([Op.Update, 1, 1, NEXT], [new Code("x")]), /invalid 'value'/],
  ["a value that is MinKey", one([Op.Update, 1, 1, NEXT], [new MinKey()]), /invalid 'value'/],
  ["a value that is a regex", one([Op.Update, 1, 1, NEXT], [/x/]), /invalid 'value'/],
  ["a value that is an array", one([Op.Update, 1, 1, NEXT], [[1]]), /invalid 'value'/],
  [
    "a value that is a Timestamp",
    one([Op.SetInsert, 1, 1, NEXT], [new Timestamp({ t: 1, i: 1 })]),
    /\(SetInsert\) has an invalid 'value'/,
  ],
  [
    "a link without pk",
    one([Op.Update, 1, 1, NEXT], [{ $link: { table: "P" } }]),
    /invalid 'value'/,
  ],
  [
    "an $object that is not true",
    one([Op.Update, 1, 1, NEXT], [{ $object: 1 }]),
    /invalid 'value'/,
  ],
  [
    "unknown update flags",
    one([Op.UpdateWithOptions, 1, 1, 8], [1]),
    /\(UpdateWithOptions\) has invalid flags/,
  ],
  ["isDefault without its flag", one([Op.UpdateWithOptions, 1, 1, 2], [1]), /invalid flags/],
  [
    "an addition of a double",
    one([Op.AddInteger, 1, 1, NEXT], [1]),
    /\(AddInteger\) has an invalid 'value'/,
  ],
  [
    "an addition of a Timestamp",
    one([Op.AddInteger, 1, 1, NEXT], [new Timestamp({ t: 1, i: 1 })]),
    /invalid 'value'/,
  ],
  [
    "an insert without priorSize",
    one([Op.ArrayInsert, 2, 2, 1]),
    /\(ArrayInsert\) has an invalid 'priorSize'/,
  ],
  [
    "a move without priorSize",
    one([Op.ArrayMove, 2, 2, 1, 1]),
    /\(ArrayMove\) has an invalid 'priorSize'/,
  ],
  [
    "an unknown collection type",
    one([Op.Clear, 1, 2, 3]),
    /\(Clear\) has an invalid 'collectionType'/,
  ],
  ["a value no instruction uses", one([Op.Erase, 1, 2], ["spare"]), /1 values no instruction uses/],
];
describe("decoding hostile version 2 changesets", () => {
  it("decodes the well-formed document the cases are made from", () => {
    expect(decodeChangeset(v2(NAMES, allOps(), allValues()))).toHaveLength(WELL_FORMED.length);
  });

  it.each(cases)("refuses %s, naming the fault", (_what, bytes, message) => {
    expect(() => decodeChangeset(bytes)).toThrow(ChangesetFormatError);
    expect(() => decodeChangeset(bytes)).toThrow(message);
  });

  it("refuses random mutations of valid changesets with a ChangesetFormatError or decodes them to well-formed instructions", () => {
    const mutation = fc.oneof(
      fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ at: fc.nat(), cut: fc.constant(true) }),
    );
    fc.assert(
      fc.property(
        instructionList,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (list, mutations) => {
          let bytes = encodeChangeset(list);
          for (const m of mutations) {
            const at = m.at % bytes.length;
            if ("cut" in m) bytes = bytes.subarray(0, at);
            else bytes[at] = m.byte;
            if (bytes.length === 0) break;
          }
          decodesOrRefuses(bytes);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("refuses version 2 documents of arbitrary op codes and BSON values with a ChangesetFormatError or decodes them to well-formed instructions", () => {
    const leaf = fc.oneof(
      fc.constantFrom(null, true, 0, 1, 2, 7, 10, 11, -1, 0.5, "", "a", "list"),
      fc.constant(Long.fromNumber(3)),
      fc.constant(pk),
      fc.constant(new Timestamp({ t: 1, i: 2 })),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("document")),
      array: fc.array(tie("tree"), { maxLength: 5 }),
      document: fc.dictionary(
        fc.constantFrom("a", "$link", "$object", "table", "pk"),
        tie("tree"),
        {
          maxKeys: 3,
        },
      ),
    }));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 3 }), leaf), { maxLength: 4 }),
        fc.array(fc.nat({ max: 15 }), { maxLength: 30 }),
        fc.array(tree, { maxLength: 8 }),
        (names, ops, values) => decodesOrRefuses(v2(names, ops, values)),
      ),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.array(tree, { maxLength: 8 }),
        (ops, values) =>
          decodesOrRefuses(
            BSON.serialize({ version: 2, names: NAMES, ops: new Binary(ops), values }),
          ),
      ),
      { numRuns: 2000 },
    );
  });
});

import { Binary, BSON, Code, DBRef, Long, MinKey, ObjectId, Timestamp } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeChangeset, encodeChangeset } from "./changesetCodec.js";
import { ChangesetFormatError, validateInstruction } from "./instructions.js";
import { instructionList } from "./test-support/instructionArbitraries.js";

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

/** A well-formed version 2 document with every item form; each case below breaks one slot. */
function valid(): { version: number; tables: unknown[]; groups: unknown[][] } {
  return {
    version: 2,
    tables: ["Car"],
    groups: [
      [
        0,
        pk,
        0,
        { model: "T" },
        [2, ["tags", 0], "x", false, 1],
        [3, "miles", Long.fromNumber(1)],
        [4, ["tags", 0], "y", 0],
        [5, ["tags", 0], 1, 2],
        [6, ["tags", 0], 1],
        [7, "tags", 1],
        [8, "ids", 1],
        [9, "ids", 1],
        [10, ["extras", "k"]],
        1,
      ],
    ],
  };
}

type Doc = ReturnType<typeof valid>;
const group = (doc: Doc) => doc.groups[0]!;

const cases: [string, (doc: Doc) => void, RegExp][] = [
  ["no table list", (d) => void (d.tables = "Car" as unknown as unknown[]), /no table list/],
  ["a table that is no name", (d) => void (d.tables[0] = 7), /table 0 is not a table name/],
  ["an empty table name", (d) => void (d.tables[0] = ""), /table 0 is not a table name/],
  ["no group list", (d) => void (d.groups = {} as unknown as unknown[][]), /no group list/],
  [
    "a group that is no array",
    (d) => void (d.groups[0] = { 0: 0 } as unknown as unknown[]),
    /group 0 is not/,
  ],
  ["a group without items", (d) => void d.groups[0]!.splice(2), /group 0 is not/],
  [
    "a table index out of range",
    (d) => void (group(d)[0] = 1),
    /group 0 has an invalid table index/,
  ],
  ["a negative table index", (d) => void (group(d)[0] = -1), /invalid table index/],
  ["a fractional table index", (d) => void (group(d)[0] = 0.5), /invalid table index/],
  ["a table index that is a string", (d) => void (group(d)[0] = "0"), /invalid table index/],
  ["a pk that is a double", (d) => void (group(d)[1] = 1.5), /group 0 has an invalid 'pk'/],
  ["a pk that is a document", (d) => void (group(d)[1] = { id: 1 }), /invalid 'pk'/],
  [
    "a pk that is a Timestamp",
    (d) => void (group(d)[1] = new Timestamp({ t: 1, i: 1 })),
    /invalid 'pk'/,
  ],
  [
    "a pk that is binary",
    (d) => void (group(d)[1] = new Binary(new Uint8Array(3))),
    /invalid 'pk'/,
  ],
  ["an unknown bare op code", (d) => void (group(d)[2] = 2), /instruction 0 has unknown op code 2/],
  [
    "an item that is a string",
    (d) => void (group(d)[2] = "CreateObject"),
    /instruction 0 is neither/,
  ],
  ["an item that is a boolean", (d) => void (group(d)[2] = true), /is neither/],
  [
    "an empty field document",
    (d) => void (group(d)[3] = {}),
    /instruction 1 is an empty field document/,
  ],
  [
    "a field value that is a document",
    (d) => void (group(d)[3] = { a: { b: 1 } }),
    /instruction 1 \(Update\) has an invalid 'value'/,
  ],
  [
    "a field value that is a DBRef",
    (d) => void (group(d)[3] = { a: new DBRef("c", new ObjectId()) }),
    /invalid 'value'/,
  ],
  [
    "a field value that is code",
    (d) => void (group(d)[3] = { a: new Code("x") }),
    /invalid 'value'/,
  ],
  [
    "a field value that is MinKey",
    (d) => void (group(d)[3] = { a: new MinKey() }),
    /invalid 'value'/,
  ],
  ["a field value that is a regex", (d) => void (group(d)[3] = { a: /x/ }), /invalid 'value'/],
  ["a field value that is an array", (d) => void (group(d)[3] = { a: [1] }), /invalid 'value'/],
  [
    "a link without pk",
    (d) => void (group(d)[3] = { a: { $link: { table: "P" } } }),
    /invalid 'value'/,
  ],
  [
    "an $object that is not true",
    (d) => void (group(d)[3] = { a: { $object: 1 } }),
    /invalid 'value'/,
  ],
  [
    "an empty array item",
    (d) => void (group(d)[4] = []),
    /instruction 2 has unknown op code undefined/,
  ],
  ["an unknown op code", (d) => void (group(d)[4] = [11, "a"]), /unknown op code 11/],
  ["a fractional op code", (d) => void (group(d)[4] = [2.5, "a", 1]), /unknown op code 2.5/],
  ["a bare op code in an array", (d) => void (group(d)[4] = [0]), /unknown op code 0/],
  [
    "too many operands",
    (d) => void (group(d)[4] = [2, "a", 1, true, 1, 1]),
    /\(Update\) has 5 operands/,
  ],
  ["too few operands", (d) => void (group(d)[4] = [2, "a"]), /\(Update\) has 1 operands/],
  ["an empty path", (d) => void (group(d)[4] = [2, [], 1]), /\(Update\) has an invalid 'path'/],
  ["a path starting with an index", (d) => void (group(d)[4] = [2, [0, "a"], 1]), /invalid 'path'/],
  ["a negative index in a path", (d) => void (group(d)[4] = [2, ["a", -1], 1]), /invalid 'path'/],
  ["a path that is a number", (d) => void (group(d)[4] = [2, 5, 1]), /invalid 'path'/],
  [
    "an isDefault that is no boolean",
    (d) => void (group(d)[4] = [2, "a", 1, "yes"]),
    /invalid 'isDefault'/,
  ],
  [
    "a fractional priorSize",
    (d) => void (group(d)[4] = [2, ["a", 0], 1, null, 0.5]),
    /invalid 'priorSize'/,
  ],
  [
    "an addition of a double",
    (d) => void (group(d)[5] = [3, "miles", 1]),
    /\(AddInteger\) has an invalid 'value'/,
  ],
  [
    "an addition of a Timestamp",
    (d) => void (group(d)[5] = [3, "miles", new Timestamp({ t: 1, i: 1 })]),
    /invalid 'value'/,
  ],
  [
    "an insert without priorSize",
    (d) => void (group(d)[6] = [4, ["tags", 0], "y", null]),
    /\(ArrayInsert\) has an invalid 'priorSize'/,
  ],
  [
    "a move to a string",
    (d) => void (group(d)[7] = [5, ["tags", 0], "1", 2]),
    /\(ArrayMove\) has an invalid 'to'/,
  ],
  [
    "a negative priorSize",
    (d) => void (group(d)[8] = [6, ["tags", 0], -1]),
    /\(ArrayErase\) has an invalid 'priorSize'/,
  ],
  [
    "an unknown collection type",
    (d) => void (group(d)[9] = [7, "tags", 3]),
    /\(Clear\) has an invalid 'collectionType'/,
  ],
  [
    "a collection type by name",
    (d) => void (group(d)[9] = [7, "tags", "list"]),
    /invalid 'collectionType'/,
  ],
  [
    "a set insert of a document",
    (d) => void (group(d)[10] = [8, "ids", {}]),
    /\(SetInsert\) has an invalid 'value'/,
  ],
  ["an erase with a value", (d) => void (group(d)[12] = [10, "k", 1]), /\(Erase\) has 2 operands/],
];

describe("decoding hostile version 2 changesets", () => {
  it("decodes the well-formed document the cases start from", () => {
    expect(decodeChangeset(BSON.serialize(valid()))).toHaveLength(12);
  });

  it.each(cases)("refuses %s, naming the fault", (_what, breakIt, message) => {
    const doc = valid();
    breakIt(doc);
    const bytes = BSON.serialize(doc);
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

  it("refuses version 2 documents of arbitrary BSON values with a ChangesetFormatError or decodes them to well-formed instructions", () => {
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
      fc.property(fc.array(fc.string(), { maxLength: 3 }), fc.array(tree), (tables, groups) => {
        decodesOrRefuses(BSON.serialize({ version: 2, tables, groups }));
      }),
      { numRuns: 2000 },
    );
  });
});

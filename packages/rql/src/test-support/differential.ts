import { Binary, ObjectId, UUID } from "bson";
import fc from "fast-check";
import { expect } from "vitest";
import { bindQuery } from "../bind/binder.js";
import { describeValue } from "../describe.js";
import { decodeDocument, encodeDocument } from "../documentEncoding.js";
import { evaluate } from "../evaluate/evaluator.js";
import type { RqlProperty, RqlSchema } from "../schema.js";
import { compileToSql } from "../sql/compiler.js";

/**
 * The differential property: generated documents and generated queries from the SQL-compilable
 * subset must select the same ids through `evaluate` and through `compileToSql` on a real engine.
 * Each engine test supplies a `DifferentialEngine`; the property is the same for all of them.
 */
export interface DifferentialEngine {
  readonly dialect: "sqlite" | "postgres";
  /** replaces the table's rows: row i holds documents[i] (encodeDocument text) */
  replaceDocuments(documents: readonly string[]): Promise<void>;
  /** ids of the rows matching the condition, ascending */
  matchingIds(where: string, params: readonly unknown[]): Promise<number[]>;
}

export interface DifferentialCase {
  documents: Record<string, unknown>[];
  query: string;
  args: unknown[];
}

function p(name: string, type: RqlProperty["type"], extra: Partial<RqlProperty> = {}): RqlProperty {
  return { name, type, optional: true, ...extra };
}

export const itemSchema: RqlSchema = {
  Item: {
    name: "Item",
    primaryKey: "_id",
    properties: {
      _id: p("_id", "int", { optional: false }),
      i: p("i", "int"),
      d: p("d", "double"),
      s: p("s", "string"),
      b: p("b", "bool"),
      t: p("t", "date"),
      o: p("o", "objectId"),
      u: p("u", "uuid"),
      bin: p("bin", "data"),
      tags: p("tags", "string", { collection: "list", optional: false }),
      nums: p("nums", "int", { collection: "list", optional: false }),
      e: p("e", "object", { objectType: "Sub" }),
    },
  },
  Sub: { name: "Sub", embedded: true, properties: { x: p("x", "int"), y: p("y", "string") } },
};

// Small value pools so that generated constants often hit generated values.
const CHARS = [
  "a",
  "b",
  "A",
  "B",
  "e",
  "é",
  "É",
  "z",
  " ",
  "*",
  "?",
  "%",
  "_",
  "[",
  "\\",
  "'",
  "K",
  "\u212a",
  "ı",
  "😀",
  "\u0301",
];
const ASCII_CHARS = CHARS.filter((c) => /^[\x20-\x7e]$/.test(c));
const OIDS = [
  "000000000000000000000001",
  "00000000000000000000000a",
  "ffffffffffffffffffffff00",
].map((hex) => new ObjectId(hex));
const UUIDS = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"].map(
  (text) => new UUID(text),
);
const BYTES = [[], [0], [1, 2, 3], [255, 0]].map((bytes) => new Binary(new Uint8Array(bytes)));

const text = (chars: string[]) =>
  fc.array(fc.constantFrom(...chars), { maxLength: 4 }).map((cs) => cs.join(""));
const int = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }),
);
const double = fc.oneof(
  int,
  fc.constantFrom(0.5, -2.5, 1.25, 1e-7, 1e21),
  fc
    .double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
    .map((d) => (Object.is(d, -0) ? 0 : d)),
);
// Dates from 1900 to 2100, some on whole seconds (stored without milliseconds); relaxed EJSON
// writes those before 1970 as {"$numberLong": ms} rather than ISO text.
const date = fc.oneof(
  fc.integer({ min: -2_208_988_800, max: 4_102_444_800 }).map((s) => new Date(s * 1000)),
  fc.integer({ min: -2_208_988_800_000, max: 4_102_444_800_000 }).map((ms) => new Date(ms)),
  fc.constantFrom(new Date(1000), new Date(1500), new Date(-1), new Date(0)),
);
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });

// Stored doubles also include the values relaxed EJSON wraps as {"$numberDouble": …}.
const storedDouble = fc.oneof(
  { weight: 6, arbitrary: double },
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0),
);

const documentArb = fc.record(
  {
    i: nullable(int),
    d: nullable(storedDouble),
    s: nullable(text(CHARS)),
    b: nullable(fc.boolean()),
    t: nullable(date),
    o: nullable(fc.constantFrom(...OIDS)),
    u: nullable(fc.constantFrom(...UUIDS)),
    bin: nullable(fc.constantFrom(...BYTES)),
    tags: fc.array(text(CHARS), { maxLength: 3 }),
    nums: fc.array(int, { maxLength: 3 }),
    e: nullable(fc.record({ x: nullable(int), y: nullable(text(CHARS)) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

/** A query fragment with the values its arguments stand for; `$?` marks where an argument goes. */
interface Fragment {
  text: string;
  args: unknown[];
}

const constant = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<Fragment> =>
  fc
    .tuple(arb, fc.boolean())
    .map(([value, asArgument]) =>
      asArgument ? { text: "$?", args: [value] } : { text: describeValue(value), args: [] },
    );

const ORDER = ["==", "!=", "<", "<=", ">", ">="] as const;
const EQUALITY = ["==", "!="] as const;

function comparison(
  path: string,
  operators: readonly string[],
  value: fc.Arbitrary<unknown>,
): fc.Arbitrary<Fragment> {
  const single = fc
    .tuple(fc.constantFrom(...operators), constant(value))
    .map(([op, c]) => ({ text: `${path} ${op} ${c.text}`, args: c.args }));
  const nullCheck = fc
    .constantFrom(...EQUALITY)
    .map((op) => ({ text: `${path} ${op} null`, args: [] }));
  const inList = fc
    .array(constant(fc.option(value, { nil: null })), { maxLength: 3 })
    .map((cs) => ({
      text: `${path} IN {${cs.map((c) => c.text).join(", ")}}`,
      args: cs.flatMap((c) => c.args),
    }));
  const ordered = operators.includes("<");
  const between = fc.tuple(constant(value), constant(value)).map(([a, b]) => ({
    text: `${path} BETWEEN {${a.text}, ${b.text}}`,
    args: [...a.args, ...b.args],
  }));
  return ordered
    ? fc.oneof(single, nullCheck, inList, between)
    : fc.oneof(single, nullCheck, inList);
}

function stringTests(path: string): fc.Arbitrary<Fragment> {
  const op = fc.constantFrom("==", "!=", "BEGINSWITH", "ENDSWITH", "CONTAINS", "LIKE");
  const exact = fc
    .tuple(op, constant(text(CHARS)))
    .map(([o, c]) => ({ text: `${path} ${o} ${c.text}`, args: c.args }));
  const caseless = fc
    .tuple(op, constant(text(ASCII_CHARS)))
    .map(([o, c]) => ({ text: `${path} ${o}[c] ${c.text}`, args: c.args }));
  return fc.oneof(exact, caseless, comparison(path, ORDER, text(CHARS)));
}

const quantifier = fc.constantFrom("", "ANY ", "ALL ", "NONE ");
const countTest = (path: string) =>
  fc
    .tuple(fc.constantFrom(...ORDER), fc.integer({ min: -1, max: 4 }))
    .map(([op, n]) => ({ text: `${path} ${op} ${n}`, args: [] }));

const leaf: fc.Arbitrary<Fragment> = fc.oneof(
  comparison("i", ORDER, int),
  comparison("d", ORDER, double),
  comparison("e.x", ORDER, int),
  stringTests("s"),
  stringTests("e.y"),
  comparison("b", EQUALITY, fc.boolean()),
  comparison("t", ORDER, date),
  comparison("o", ORDER, fc.constantFrom(...OIDS)),
  comparison("u", EQUALITY, fc.constantFrom(...UUIDS)),
  comparison("bin", EQUALITY, fc.constantFrom(...BYTES)),
  fc.tuple(quantifier, stringTests("tags")).map(([q, f]) => ({ ...f, text: q + f.text })),
  fc
    .tuple(quantifier, comparison("nums", ORDER, int))
    .map(([q, f]) => ({ ...f, text: q + f.text })),
  constant(text(CHARS)).map((c) => ({ text: `${c.text} IN tags`, args: c.args })),
  countTest("tags.@count"),
  countTest("nums.@size"),
  countTest("s.@size"),
  fc.constantFrom(...EQUALITY).map((op) => ({ text: `e ${op} null`, args: [] })),
  fc.constantFrom("TRUEPREDICATE", "FALSEPREDICATE").map((truth) => ({ text: truth, args: [] })),
);

const predicate: fc.Arbitrary<Fragment> = fc.letrec<{ node: Fragment }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc
      .tuple(tie("node"), fc.constantFrom("AND", "OR", "&&", "||"), tie("node"))
      .map(([a, op, b]) => ({
        text: `(${a.text}) ${op} (${b.text})`,
        args: [...a.args, ...b.args],
      })),
    tie("node").map((a) => ({ text: `NOT (${a.text})`, args: a.args })),
  ),
})).node;

/** Numbers the `$?` placeholders in order. */
function numbered(fragment: Fragment): { query: string; args: unknown[] } {
  let n = 0;
  return { query: fragment.text.replace(/\$\?/g, () => `$${n++}`), args: fragment.args };
}

export const differentialCaseArb: fc.Arbitrary<DifferentialCase> = fc
  .tuple(fc.array(documentArb, { maxLength: 12 }), predicate)
  .map(([documents, fragment]) => ({ documents, ...numbered(fragment) }));

/** Runs one case on the engine and on the evaluator and asserts they select the same ids. */
export async function checkCase(engine: DifferentialEngine, c: DifferentialCase): Promise<void> {
  const texts = c.documents.map((document, index) => encodeDocument({ _id: index, ...document }));
  const bound = bindQuery(c.query, itemSchema, "Item", c.args);
  // The evaluator sees exactly what a store would hand back: the decoded stored text.
  const expected = texts.flatMap((textual, index) =>
    evaluate(bound, decodeDocument(textual)) ? [index] : [],
  );
  const { where, params } = compileToSql(bound, { dialect: engine.dialect, documentColumn: "doc" });
  await engine.replaceDocuments(texts);
  const actual = await engine.matchingIds(where, params);
  expect(actual, `${c.query}\n${where}`).toEqual(expected);
}

export async function checkDifferentialProperty(
  engine: DifferentialEngine,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(differentialCaseArb, (c) => checkCase(engine, c)),
    { numRuns },
  );
}

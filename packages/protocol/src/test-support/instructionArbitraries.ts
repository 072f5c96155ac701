/**
 * fast-check generators of well-formed instruction lists for the changeset codec's property
 * tests: every instruction type and value type, runs of updates on one object, objects
 * interleaved, equal keys held by distinct instances, and field names a JS object or a BSON
 * document would mangle.
 */
import { Binary, Decimal128, Long, ObjectId, UUID } from "bson";
import fc from "fast-check";
import type { Instruction, InstructionValue, Path, PrimaryKey } from "../instructions.js";

/** Names that break naive encodings: integer-like, prototype, BSON-special, NUL, empty. */
export const ODD_NAMES = [
  "__proto__",
  "_bsontype",
  "constructor",
  "toString",
  "hasOwnProperty",
  "0",
  "7",
  "01",
  "4294967295",
  "-1",
  "1.5",
  "$ref",
  "$id",
  "$db",
  "$link",
  "$object",
  "a.b",
  "",
  "x\0y",
  "é ☃",
] as const;

const name = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("ownerId", "value", "title", "tags", "miles") },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_NAMES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const tableName = fc.oneof(
  fc.constantFrom("Car", "Person", "SensorReading", "__proto__", "0", "$ref"),
  fc.string({ minLength: 1, maxLength: 6 }),
);

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const long = fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n).map((n) => Long.fromBigInt(n));

/** Descriptions of keys, made into a fresh instance at each use. */
const primaryKeyMaker: fc.Arbitrary<() => PrimaryKey> = fc.oneof(
  fc.constant(() => null),
  fc
    .oneof(fc.string({ maxLength: 8 }), fc.string({ minLength: 127, maxLength: 130 }))
    .map((s) => () => s),
  long.map((l) => () => Long.fromBits(l.low, l.high)),
  bytes(12).map((b) => () => new ObjectId(Buffer.from(b))),
  bytes(16).map((b) => () => new UUID(Buffer.from(b))),
);

const primaryKey = primaryKeyMaker.map((make) => make());

export const instructionValue: fc.Arbitrary<InstructionValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  long,
  fc.double(),
  fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 0.1),
  fc.integer(),
  fc.string({ maxLength: 10 }),
  fc.string({ minLength: 120, maxLength: 140 }),
  fc
    .tuple(fc.uint8Array({ maxLength: 20 }), fc.constantFrom(0, 0x80))
    .map(([b, subtype]) => new Binary(b, subtype)),
  fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms)),
  fc
    .tuple(fc.bigInt(-(10n ** 20n), 10n ** 20n), fc.integer({ min: 0, max: 6 }))
    .map(([digits, scale]) => Decimal128.fromString(scaled(digits, scale))),
  bytes(12).map((b) => new ObjectId(Buffer.from(b))),
  bytes(16).map((b) => new UUID(Buffer.from(b))),
  fc
    .record({ table: tableName, pk: primaryKey })
    .map(({ table, pk }) => ({ $link: { table, pk } })),
  fc.constant({ $object: true as const }),
);

function scaled(digits: bigint, scale: number): string {
  const text = (digits < 0n ? -digits : digits).toString().padStart(scale + 1, "0");
  const point = text.length - scale;
  const sign = digits < 0n ? "-" : "";
  return scale === 0 ? `${sign}${text}` : `${sign}${text.slice(0, point)}.${text.slice(point)}`;
}

const count = fc.oneof(
  { weight: 5, arbitrary: fc.nat({ max: 1000 }) },
  fc.constantFrom(127, 128, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER),
);
const path: fc.Arbitrary<Path> = fc
  .tuple(name, fc.array(fc.oneof(name, count), { maxLength: 3 }))
  .map(([first, rest]) => [first, ...rest]);

/** An instruction without its object (Omit applied to each member of the union). */
type Body = Instruction extends infer I
  ? I extends Instruction
    ? Omit<I, "table" | "pk">
    : never
  : never;

/** What an instruction does, without its object. Plain top-level updates are the most common. */
const body: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(name, instructionValue)
      .map(([field, value]): Body => ({ type: "Update", path: [field], value })),
  },
  { weight: 1, arbitrary: fc.constant<Body>({ type: "CreateObject" }) },
  { weight: 1, arbitrary: fc.constant<Body>({ type: "EraseObject" }) },
  {
    weight: 2,
    arbitrary: fc
      .record(
        { path, value: instructionValue, isDefault: fc.boolean(), priorSize: count },
        { requiredKeys: ["path", "value"] },
      )
      .map((fields): Body => ({ type: "Update", ...fields })),
  },
  fc.record({ path, value: long }).map((f): Body => ({ type: "AddInteger", ...f })),
  fc
    .record({ path, value: instructionValue, priorSize: count })
    .map((f): Body => ({ type: "ArrayInsert", ...f })),
  fc.record({ path, to: count, priorSize: count }).map((f): Body => ({ type: "ArrayMove", ...f })),
  fc.record({ path, priorSize: count }).map((f): Body => ({ type: "ArrayErase", ...f })),
  fc
    .record({
      path,
      collectionType: fc.constantFrom("list", "set", "dictionary") as fc.Arbitrary<"list">,
    })
    .map((f): Body => ({ type: "Clear", ...f })),
  fc.record({ path, value: instructionValue }).map((f): Body => ({ type: "SetInsert", ...f })),
  fc.record({ path, value: instructionValue }).map((f): Body => ({ type: "SetErase", ...f })),
  fc.record({ path }).map((f): Body => ({ type: "Erase", ...f })),
);

/**
 * Instruction lists over a few objects, so that runs on one object and interleaved objects
 * both occur; each instruction gets its own instance of the object's key.
 */
export const instructionList: fc.Arbitrary<Instruction[]> = fc
  .array(fc.tuple(tableName, primaryKeyMaker), { minLength: 1, maxLength: 3 })
  .chain((objects) =>
    fc
      .array(
        fc.tuple(
          fc.nat({ max: objects.length - 1 }),
          fc.array(body, { minLength: 1, maxLength: 6 }),
        ),
        { maxLength: 12 },
      )
      .map((stretches) =>
        stretches.flatMap(([which, bodies]) => {
          const [table, makeKey] = objects[which]!;
          return bodies.map((b) => ({ ...b, table, pk: makeKey() }));
        }),
      ),
  );

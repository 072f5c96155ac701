/**
 * Fuzzes the upload path with generated changesets from an attacker, over a real WebSocket
 * against a real sync service: valid writes mixed with the hostile shapes (type changes, list
 * operations on scalars, deep paths, bad names, lists beyond the limit, links to the wrong
 * table, embedded objects where scalars go, unknown tables, erasing a victim's objects).
 * Every upload is either accepted (231 for objects the rules refuse) or refused with
 * bad_changeset / limits_exceeded, never anything else; what is stored fits the schema; the
 * victim's car is never changed and the victim's downloads and a fresh bootstrap decode and
 * hold only the victim's own car.
 */
import {
  decodeChangeset,
  SyncErrorCode,
  type Instruction,
  type InstructionValue,
  type Path,
  type PrimaryKey,
} from "@atoll/protocol";
import type { RqlClass, RqlProperty, RqlSchema } from "@atoll/rql";
import { Binary, Decimal128, Long, ObjectId, UUID } from "bson";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fuzzParameters } from "../../../../protocol/src/test-support/fuzzParameters.js";
import { startGarageServer, type GarageServer } from "../test-support/garageApp.js";
import type { SyncTestClient, TestLogin } from "../test-support/SyncTestClient.js";

const MAX_LIST = 300;
const ALL_CARS = { Car: "_id != null" };

let garage: GarageServer;
let victim: TestLogin;
let attacker: TestLogin;
let victimDevice: SyncTestClient;
const victimCar = new ObjectId();
const attackerCar = new ObjectId();
let victimCarBefore: unknown;

const cars = () => garage.t.server.data.system().db("cars-db").collection("Car");

function createCar(pk: ObjectId, owner: string): Instruction[] {
  return [
    { type: "CreateObject", table: "Car", pk },
    { type: "Update", table: "Car", pk, path: ["ownerId"], value: owner },
    { type: "Update", table: "Car", pk, path: ["make"], value: "Volvo" },
    { type: "Clear", table: "Car", pk, path: ["notes"], collectionType: "dictionary" },
  ];
}

async function device(login: TestLogin): Promise<SyncTestClient> {
  const client = await garage.t.connect(login);
  await client.bind();
  await client.subscribe(1, ALL_CARS);
  return client;
}

beforeAll(async () => {
  garage = await startGarageServer({ maxListLength: MAX_LIST, maxPathDepth: 6 });
  victim = await garage.t.logIn();
  attacker = await garage.t.logIn();
  victimDevice = await device(victim);
  await victimDevice.acknowledged(victimDevice.upload(createCar(victimCar, victim.userId)));
  victimCarBefore = await cars().findOne({ _id: victimCar });
  const attackerDevice = await device(attacker);
  await attackerDevice.acknowledged(attackerDevice.upload(createCar(attackerCar, attacker.userId)));
  await attackerDevice.close();
});
afterAll(async () => {
  await garage.stop();
});

const values: fc.Arbitrary<InstructionValue> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constant("x".repeat(5000)),
  fc.integer().map((n) => Long.fromNumber(n)),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(new Date(0)),
  fc.constant(new ObjectId()),
  fc.constant(new Binary(Buffer.from("ab"))),
  fc.constant(Decimal128.fromString("1.5")),
  fc.constant(new UUID()),
  fc.constant({ $object: true as const }),
  fc.constantFrom(victimCar, attackerCar).map((pk) => ({ $link: { table: "Car", pk } })),
  fc.constant({ $link: { table: "Bogus", pk: new ObjectId() } }),
  fc.constant({ $link: { table: "Car", pk: "not an ObjectId" } }),
);

const index = fc.nat({ max: 3 });
const paths: fc.Arbitrary<Path> = fc.oneof(
  fc.constantFrom<Path>(
    ["ownerId"],
    ["make"],
    ["miles"],
    ["price"],
    ["codes"],
    ["notes"],
    ["engine"],
    ["engine", "power"],
    ["towedBy"],
    ["tags"],
    ["_id"],
    ["color"],
    ["$set"],
    ["a.b"],
    [""],
    ["notes", "$gt"],
    ["notes", "k.k"],
    ["k".repeat(300)],
    ["wheels", 0, "size", 0, 0, 0, 0, 0],
    ["make", "deeper"],
  ),
  index.map((i): Path => ["tags", i]),
  index.map((i): Path => ["wheels", i]),
  index.map((i): Path => ["wheels", i, "size"]),
  index.map((i): Path => ["convoy", i]),
  index.map((i): Path => ["ownerId", i]),
  fc.string({ maxLength: 4 }).map((key): Path => ["notes", key]),
);

const tables = fc.constantFrom("Car", "Car", "Car", "Car", "Bogus", "Engine", "SensorReading");
const pks: fc.Arbitrary<PrimaryKey> = fc.oneof(
  fc.constantFrom<PrimaryKey>(attackerCar, attackerCar, victimCar, "car", Long.ONE, null),
  fc.constant(null).map(() => new ObjectId()),
);

const instruction: fc.Arbitrary<Instruction> = fc
  .record({
    type: fc.constantFrom<Instruction["type"]>(
      "CreateObject",
      "EraseObject",
      "Update",
      "Update",
      "Update",
      "AddInteger",
      "ArrayInsert",
      "ArrayInsert",
      "ArrayMove",
      "ArrayErase",
      "Clear",
      "SetInsert",
      "SetErase",
      "Erase",
    ),
    table: tables,
    pk: pks,
    path: paths,
    value: values,
    size: fc.nat({ max: 3 }),
    collectionType: fc.constantFrom("list" as const, "set" as const, "dictionary" as const),
  })
  .map(({ type, table, pk, path, value, size, collectionType }): Instruction => {
    switch (type) {
      case "CreateObject":
      case "EraseObject":
        return { type, table, pk };
      case "Update":
        return { type, table, pk, path, value };
      case "AddInteger":
        return { type, table, pk, path, value: Long.fromNumber(size) };
      case "ArrayInsert":
        return { type, table, pk, path, value, priorSize: size };
      case "ArrayMove":
        return { type, table, pk, path, to: 0, priorSize: size };
      case "ArrayErase":
        return { type, table, pk, path, priorSize: size };
      case "Clear":
        return { type, table, pk, path, collectionType };
      case "SetInsert":
      case "SetErase":
        return { type, table, pk, path, value };
      case "Erase":
        return { type, table, pk, path };
    }
  });

/** Many inserts into one list of the attacker's car, some lists beyond the limit. */
const manyInserts: fc.Arbitrary<Instruction[]> = fc
  .record({
    count: fc.integer({ min: 1, max: MAX_LIST * 2 }),
    list: fc.constantFrom("tags", "ownerId"),
  })
  .map(({ count, list }) =>
    Array.from({ length: count }, (_, i) => ({
      type: "ArrayInsert" as const,
      table: "Car",
      pk: attackerCar,
      path: [list, i],
      priorSize: i,
      value: `t${i}`,
    })),
  );

const changesets = fc.oneof(
  { weight: 4, arbitrary: fc.array(instruction, { minLength: 1, maxLength: 6 }) },
  { weight: 1, arbitrary: manyInserts },
);

/** Waits for the upload's acknowledgement or a fatal error; 231 reports are part of an acceptance. */
async function outcomeOf(client: SyncTestClient, version: number): Promise<number | "accepted"> {
  return Promise.race([
    client.acknowledged(version).then(() => "accepted" as const),
    client.next("error", (e) => e.code !== SyncErrorCode.CompensatingWrite).then((e) => e.code),
  ]);
}

it("accepts or refuses every generated upload with a documented error; the victim is untouched", async () => {
  await fc.assert(
    fc.asyncProperty(changesets, async (changeset) => {
      const client = await device(attacker);
      const outcome = await outcomeOf(client, client.upload(changeset));
      if (outcome === "accepted") await client.close();
      else {
        expect([SyncErrorCode.BadChangeset, SyncErrorCode.LimitsExceeded]).toContain(outcome);
        await client.closed();
      }
      expect(await cars().findOne({ _id: victimCar })).toEqual(victimCarBefore);
      for (const doc of await cars().find({})) expectFits(doc, "Car");
    }),
    fuzzParameters(25),
  );

  // The victim's live downloads and a fresh bootstrap decode and hold only the victim's car.
  await victimDevice.mark();
  const live = victimDevice.downloadedInstructions();
  expect(live.every((i) => victimCar.equals(i.pk as ObjectId))).toBe(true);
  const fresh = await garage.t.connect(victim);
  await fresh.bind();
  const bootstrap = (await fresh.subscribe(1, ALL_CARS))
    .flatMap((d) => d.changesets)
    .flatMap((c) => decodeChangeset(c.changeset));
  expect(bootstrap.length).toBeGreaterThan(0);
  expect(bootstrap.every((i) => victimCar.equals(i.pk as ObjectId))).toBe(true);
});

/** An oracle independent of the upload check: a stored document holds only what the schema says. */
function expectFits(doc: Record<string, unknown>, type: string): void {
  const schema = garage.t.server.sync!.model.schema;
  const cls = schema[type]!;
  for (const [field, value] of Object.entries(doc)) {
    const property = cls.properties[field];
    expect(property, `${type}.${field}`).toBeDefined();
    expect(fits(value, property!, schema), `${type}.${field} = ${String(value)}`).toBe(true);
  }
}

function fits(value: unknown, property: RqlProperty, schema: RqlSchema): boolean {
  if (property.collection === "list" || property.collection === "set")
    return Array.isArray(value) && value.every((item) => fitsOne(item, property, schema, true));
  if (property.collection === "dictionary")
    return (
      isPlain(value) &&
      Object.entries(value).every(
        ([key, item]) =>
          !key.startsWith("$") && !key.includes(".") && fitsOne(item, property, schema, false),
      )
    );
  return fitsOne(value, property, schema, false);
}

function fitsOne(
  value: unknown,
  property: RqlProperty,
  schema: RqlSchema,
  element: boolean,
): boolean {
  if (value === null || value === undefined) return !element || property.optional;
  const target: RqlClass | undefined = property.objectType
    ? schema[property.objectType]
    : undefined;
  switch (property.type) {
    case "string":
      return typeof value === "string";
    case "int":
      return Number.isInteger(value) || Long.isLong(value);
    case "double":
    case "float":
      return typeof value === "number";
    case "date":
      return value instanceof Date;
    case "objectId":
      return value instanceof ObjectId;
    case "object":
      if (target?.embedded !== true) return value instanceof ObjectId;
      return (
        isPlain(value) &&
        Object.entries(value).every(
          ([field, inner]) =>
            target.properties[field] !== undefined && fits(inner, target.properties[field], schema),
        )
      );
    default:
      return true;
  }
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

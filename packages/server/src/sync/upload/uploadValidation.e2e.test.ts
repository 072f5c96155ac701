/**
 * Uploads that break the app's schema, from a hostile device over a real WebSocket: each is
 * refused whole with bad_changeset (212) and the device's connection is closed; nothing of it
 * is stored or reaches another device. The victim's subscription, downloads and a fresh
 * bootstrap stay as they were, and honest writes go on.
 */
import {
  decodeChangeset,
  SyncErrorCode,
  type Instruction,
  type InstructionValue,
  type Path,
} from "@atoll/protocol";
import { Long, ObjectId } from "bson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGarageServer, type GarageServer } from "../test-support/garageApp.js";
import type { SyncTestClient, TestLogin } from "../test-support/SyncTestClient.js";

let garage: GarageServer;
let victim: TestLogin;
let attacker: TestLogin;
let victimDevice: SyncTestClient;
const victimCar = new ObjectId();
const attackerCar = new ObjectId();
const ALL_CARS = { Car: "_id != null" };

function createCar(pk: ObjectId, owner: string): Instruction[] {
  return [
    { type: "CreateObject", table: "Car", pk },
    { type: "Update", table: "Car", pk, path: ["ownerId"], value: owner },
    { type: "Update", table: "Car", pk, path: ["make"], value: "Volvo" },
    { type: "Update", table: "Car", pk, path: ["miles"], value: Long.fromNumber(10) },
  ];
}

async function storedCar(pk: ObjectId): Promise<Record<string, unknown> | null> {
  const cars = garage.t.server.data.system().db("cars-db").collection("Car");
  return await cars.findOne({ _id: pk });
}

async function device(login: TestLogin): Promise<SyncTestClient> {
  const client = await garage.t.connect(login);
  await client.bind();
  await client.subscribe(1, ALL_CARS);
  return client;
}

/** Uploads `instructions` from a fresh attacker device; resolves with the error it gets. */
async function attack(instructions: Instruction[]): Promise<{ code: number; message: string }> {
  const client = await device(attacker);
  client.upload(instructions);
  const error = await client.next("error");
  await client.closed();
  return error;
}

beforeAll(async () => {
  garage = await startGarageServer();
  victim = await garage.t.logIn();
  attacker = await garage.t.logIn();
  victimDevice = await device(victim);
  await victimDevice.acknowledged(victimDevice.upload(createCar(victimCar, victim.userId)));
  const attackerDevice = await device(attacker);
  await attackerDevice.acknowledged(attackerDevice.upload(createCar(attackerCar, attacker.userId)));
  await attackerDevice.close();
});
afterAll(async () => {
  await garage.stop();
});

describe("an upload that turns ownerId into a list holding another user's id", () => {
  it("is refused, and the victim's downloads and a fresh bootstrap stay decodable and unchanged", async () => {
    const before = victimDevice.received.length;
    const error = await attack([
      { type: "Clear", table: "Car", pk: attackerCar, path: ["ownerId"], collectionType: "list" },
      {
        type: "ArrayInsert",
        table: "Car",
        pk: attackerCar,
        path: ["ownerId", 0],
        priorSize: 0,
        value: attacker.userId,
      },
      {
        type: "ArrayInsert",
        table: "Car",
        pk: attackerCar,
        path: ["ownerId", 1],
        priorSize: 1,
        value: victim.userId,
      },
    ]);
    expect(error.code).toBe(SyncErrorCode.BadChangeset);
    expect(error.message).toContain('"ownerId" (a string)');
    expect((await storedCar(attackerCar))?.ownerId).toBe(attacker.userId);

    // The victim's live session: nothing about the attacker's car, and its own writes go on.
    await victimDevice.mark();
    const live = victimDevice.downloadedInstructions(before);
    expect(live.filter((i) => attackerCar.equals(i.pk as ObjectId))).toEqual([]);
    const pk = new ObjectId();
    await victimDevice.acknowledged(victimDevice.upload(createCar(pk, victim.userId)));
    expect((await storedCar(pk))?.ownerId).toBe(victim.userId);

    // A fresh device of the victim bootstraps its own cars only, every ownerId a string.
    const fresh = await garage.t.connect(victim);
    await fresh.bind();
    const bootstrap = (await fresh.subscribe(1, ALL_CARS))
      .flatMap((d) => d.changesets)
      .flatMap((c) => decodeChangeset(c.changeset));
    const owners = bootstrap.filter(
      (i): i is Instruction & { path: Path; value: InstructionValue } =>
        i.type === "Update" && i.path[0] === "ownerId",
    );
    expect(owners.map((i) => i.value)).toEqual([victim.userId, victim.userId]);
    expect(bootstrap.some((i) => attackerCar.equals(i.pk as ObjectId))).toBe(false);
  });
});

describe("uploads that do not fit the app's schema", () => {
  const pk = attackerCar;
  const update = (path: Path, value: InstructionValue): Instruction => ({
    type: "Update",
    table: "Car",
    pk,
    path,
    value,
  });
  const cases: [string, Instruction[]][] = [
    ["a string into an int", [update(["miles"], "lots")]],
    ["a double into an int", [update(["miles"], 2.5)]],
    ["null into a required string", [update(["make"], null)]],
    ["a field the schema lacks", [update(["color"], "red")]],
    ["a name starting with $", [update(["$where"], "1")]],
    ["a name holding a dot", [update(["make.x"], "1")]],
    ["a dictionary key starting with $", [update(["notes", "$gt"], "x")]],
    ["a dictionary key holding a dot", [update(["notes", "a.b"], "x")]],
    ["an embedded object where a string goes", [update(["make"], { $object: true })]],
    ["a string where an embedded object goes", [update(["engine"], "V8")]],
    [
      "a link to the wrong table",
      [update(["towedBy"], { $link: { table: "SensorReading", pk: new ObjectId() } })],
    ],
    [
      "a link with a key of the wrong type",
      [update(["towedBy"], { $link: { table: "Car", pk: "x" } })],
    ],
    [
      "a list element of the wrong type",
      [{ type: "ArrayInsert", table: "Car", pk, path: ["tags", 0], priorSize: 0, value: 1 }],
    ],
    [
      "a set operation on a list",
      [{ type: "SetInsert", table: "Car", pk, path: ["tags"], value: "x" }],
    ],
    [
      "a list operation on a dictionary",
      [{ type: "ArrayInsert", table: "Car", pk, path: ["notes", 0], priorSize: 0, value: "x" }],
    ],
    ["a whole list replaced by a value", [update(["tags"], "x")]],
    [
      "an addition to a string",
      [{ type: "AddInteger", table: "Car", pk, path: ["make"], value: Long.ONE }],
    ],
    ["a change of the primary key", [update(["_id"], new ObjectId())]],
    [
      "an object of an unknown table",
      [{ type: "CreateObject", table: "Bogus", pk: new ObjectId() }],
    ],
    [
      "an embedded type as a table",
      [{ type: "CreateObject", table: "Engine", pk: new ObjectId() }],
    ],
    ["a primary key of the wrong type", [{ type: "CreateObject", table: "Car", pk: "car-1" }]],
    ["a path into a string", [update(["make", "x"], "1")]],
    ["a new list in a string property", [update(["make"], { $list: true })]],
    ["a new dictionary in an embedded object's place", [update(["engine"], { $dictionary: true })]],
    [
      "a new dictionary as a string dictionary's value",
      [update(["notes", "k"], { $dictionary: true })],
    ],
    [
      "a new list as an element of a list of strings",
      [
        {
          type: "ArrayInsert",
          table: "Car",
          pk,
          path: ["tags", 0],
          priorSize: 0,
          value: { $list: true },
        },
      ],
    ],
    ["a path below an element of a list of strings", [update(["tags", 0, "k"], "x")]],
  ];

  it.each(cases)("refuses %s with bad_changeset and stores nothing", async (_, instructions) => {
    const stored = await storedCar(attackerCar);
    const error = await attack(instructions);
    expect(error.code).toBe(SyncErrorCode.BadChangeset);
    expect(await storedCar(attackerCar)).toEqual(stored);
  });

  it("accepts every shape the schema has", async () => {
    const honest = await device(attacker);
    const wheel = ["wheels", 0] as const;
    const version = honest.upload([
      update(["price"], 12.5),
      update(["built"], new Date(0)),
      update(["model"], null),
      { type: "AddInteger", table: "Car", pk, path: ["miles"], value: Long.fromNumber(5) },
      { type: "ArrayInsert", table: "Car", pk, path: ["tags", 0], priorSize: 0, value: "red" },
      { type: "SetInsert", table: "Car", pk, path: ["codes"], value: Long.fromNumber(7) },
      { type: "Clear", table: "Car", pk, path: ["notes"], collectionType: "dictionary" },
      update(["notes", "service"], "2026"),
      update(["engine"], { $object: true }),
      update(["engine", "power"], Long.fromNumber(90)),
      {
        type: "ArrayInsert",
        table: "Car",
        pk,
        path: [...wheel],
        priorSize: 0,
        value: { $object: true },
      },
      update([...wheel, "size"], Long.fromNumber(16)),
      update(["towedBy"], { $link: { table: "Car", pk: attackerCar } }),
      {
        type: "ArrayInsert",
        table: "Car",
        pk,
        path: ["convoy", 0],
        priorSize: 0,
        value: { $link: { table: "Car", pk: attackerCar } },
      },
      { type: "Erase", table: "Car", pk, path: ["notes", "service"] },
    ]);
    await honest.acknowledged(version);
    expect(honest.received.some((m) => m.type === "error")).toBe(false);
    expect(await storedCar(attackerCar)).toMatchObject({
      price: 12.5,
      miles: 15,
      tags: ["red"],
      codes: [7],
      notes: {},
      engine: { power: 90 },
      wheels: [{ size: 16 }],
      towedBy: attackerCar,
      convoy: [attackerCar],
    });
  });
});

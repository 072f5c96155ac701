/**
 * The upload limits over a real WebSocket, on a server whose operator set them: a changeset
 * within them is accepted however large (200 000 list inserts on one object are integrated in
 * time linear in their number: the list is copied once, not per insert; so are 50 000 writes
 * to different keys of one dictionary: a write finds the clocks around its path by an index,
 * not by reading every clock of the object; and 100 000 inserts into one set, whose
 * membership test reads an index, not every element), one beyond any of
 * them is refused whole with limits_exceeded (104) and nothing of it is stored.
 */
import { encodeChangeset, SyncErrorCode, type Instruction } from "@atoll/protocol";
import { Long, ObjectId } from "bson";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGarageServer, type GarageServer } from "../test-support/garageApp.js";
import type { SyncTestClient, TestLogin } from "../test-support/SyncTestClient.js";

const LIST_LENGTH = 200_000;
const LIMITS = {
  maxChangesetInstructions: LIST_LENGTH + 10,
  maxObjectInstructions: LIST_LENGTH + 5,
  maxListLength: LIST_LENGTH,
  maxPathDepth: 3,
  maxNameLength: 20,
  maxListTransformSteps: 1_000_000,
};

let garage: GarageServer;
let login: TestLogin;
const pk = new ObjectId();

function inserts(car: ObjectId, from: number, count: number): Instruction[] {
  return Array.from({ length: count }, (_, i) => ({
    type: "ArrayInsert" as const,
    table: "Car",
    pk: car,
    path: ["tags", from + i],
    priorSize: from + i,
    value: `tag ${(from + i) % 50}`,
  }));
}

function createCar(car: ObjectId): Instruction[] {
  return [
    { type: "CreateObject", table: "Car", pk: car },
    { type: "Update", table: "Car", pk: car, path: ["ownerId"], value: login.userId },
    { type: "Update", table: "Car", pk: car, path: ["make"], value: "Volvo" },
  ];
}

async function device(): Promise<SyncTestClient> {
  const client = await garage.t.connect(login);
  await client.bind();
  await client.subscribe(1, { Car: "_id != null" });
  return client;
}

async function storedTags(car: ObjectId): Promise<number | undefined> {
  const doc = await garage.t.server.data
    .system()
    .db("cars-db")
    .collection("Car")
    .findOne({ _id: car });
  return (doc?.tags as unknown[] | undefined)?.length;
}

async function refused(instructions: Instruction[]): Promise<string> {
  const client = await device();
  client.upload(instructions);
  const error = await client.next("error");
  expect(error.code).toBe(SyncErrorCode.LimitsExceeded);
  await client.closed();
  return error.message;
}

beforeAll(async () => {
  garage = await startGarageServer(LIMITS);
  login = await garage.t.logIn();
});
afterAll(async () => {
  await garage.stop();
});

it("integrates 200 000 list inserts on one object in one changeset", async () => {
  const client = await device();
  await client.acknowledged(client.upload([...createCar(pk), ...inserts(pk, 0, LIST_LENGTH)]));
  expect(client.received.some((m) => m.type === "error")).toBe(false);
  expect(await storedTags(pk)).toBe(LIST_LENGTH);
  await client.close();
});

it("integrates 50 000 writes to different keys of one dictionary in one changeset", async () => {
  const car = new ObjectId();
  const writes = Array.from({ length: 50_000 }, (_, i) => ({
    type: "Update" as const,
    table: "Car",
    pk: car,
    path: ["notes", `key ${i}`],
    value: "x",
  }));
  const client = await device();
  const clear: Instruction = {
    type: "Clear",
    table: "Car",
    pk: car,
    path: ["notes"],
    collectionType: "dictionary",
  };
  await client.acknowledged(client.upload([...createCar(car), clear, ...writes]));
  const doc = await garage.t.server.data
    .system()
    .db("cars-db")
    .collection("Car")
    .findOne({ _id: car });
  expect(Object.keys(doc?.notes as object)).toHaveLength(50_000);
  await client.close();
});

it("integrates 100 000 inserts into one set in one changeset", async () => {
  const car = new ObjectId();
  const inserts = Array.from({ length: 100_000 }, (_, i) => ({
    type: "SetInsert" as const,
    table: "Car",
    pk: car,
    path: ["codes"],
    value: Long.fromNumber(i),
  }));
  const client = await device();
  await client.acknowledged(client.upload([...createCar(car), ...inserts]));
  const doc = await garage.t.server.data
    .system()
    .db("cars-db")
    .collection("Car")
    .findOne({ _id: car });
  expect(doc?.codes).toHaveLength(100_000);
  await client.close();
});

it("refuses an insert that would make the list longer than allowed", async () => {
  expect(await refused(inserts(pk, LIST_LENGTH, 1))).toContain("more than the 200000 allowed");
  expect(await storedTags(pk)).toBe(LIST_LENGTH);
});

it("refuses more instructions on one object than allowed", async () => {
  const car = new ObjectId();
  const updates = Array.from({ length: LIMITS.maxObjectInstructions }, (_, i) => ({
    type: "Update" as const,
    table: "Car",
    pk: car,
    path: ["miles"],
    value: Long.fromNumber(i),
  }));
  expect(await refused([...createCar(car), ...updates])).toContain("on one object");
  expect(await storedTags(car)).toBeUndefined();
});

it("refuses more instructions in one changeset than allowed", async () => {
  const cars = Array.from(
    { length: LIMITS.maxChangesetInstructions / 2 + 1 },
    () => new ObjectId(),
  );
  const creates = cars.flatMap((car): Instruction[] => [
    { type: "CreateObject", table: "Car", pk: car },
    { type: "Update", table: "Car", pk: car, path: ["make"], value: "Volvo" },
  ]);
  expect(await refused(creates)).toContain("in one changeset");
});

it("refuses list changes whose merge with concurrent ones takes more steps than allowed", async () => {
  const car = new ObjectId();
  const first = await device();
  await first.acknowledged(first.upload(createCar(car)));
  const base = first.cursor.serverVersion;
  await first.acknowledged(first.upload(inserts(car, 0, 2000)));
  await first.close();
  /** Uploads `count` inserts from another device as if it had not seen the 2000 above. */
  const behind = async (count: number) => {
    const client = await device();
    client.send({
      type: "upload",
      session: 1,
      progress: { clientVersion: 1, lastIntegratedServerVersion: base },
      lockedServerVersion: base,
      changesets: [
        {
          clientVersion: 1,
          lastIntegratedServerVersion: base,
          originTimestamp: Date.now(),
          changeset: encodeChangeset(inserts(car, 0, count)),
        },
      ],
    });
    return client;
  };
  const within = await behind(100); // 100 × 2000 steps
  await within.acknowledged(1);
  expect(await storedTags(car)).toBe(2100);
  await within.close();
  const beyond = await behind(600); // 600 × 2100 steps
  const error = await beyond.next("error");
  expect(error.code).toBe(SyncErrorCode.LimitsExceeded);
  expect(error.message).toContain("1000000 steps");
  expect(await storedTags(car)).toBe(2100);
});

it("refuses a path deeper than allowed and a name longer than allowed", async () => {
  const deep: Instruction = {
    type: "Update",
    table: "Car",
    pk,
    path: ["wheels", 0, "size", 1],
    value: Long.ONE,
  };
  expect(await refused([deep])).toContain("deeper than the 3 allowed");
  const key = "k".repeat(LIMITS.maxNameLength + 1);
  const long: Instruction = { type: "Update", table: "Car", pk, path: ["notes", key], value: "x" };
  expect(await refused([long])).toContain("longer than the 20 allowed");
});

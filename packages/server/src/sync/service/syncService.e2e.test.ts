/**
 * The sync endpoint end to end: a real server on the cars example (owner-read-write,
 * queryable miles/ownerId, asymmetric SensorReading), real WebSockets, SQLite in a temp dir,
 * and the raw protocol client. What is asserted is what a device would notice.
 */
import { BatchState, decodeChangeset, type Instruction } from "@atoll/protocol";
import { Long, ObjectId } from "bson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";
import type { SyncTestClient, TestLogin } from "../test-support/SyncTestClient.js";

const VIEW_REASON = "not allowed; object is outside of the current query view";

function car(id: ObjectId, ownerId: string, make: string, miles: number): Instruction[] {
  return [
    { type: "CreateObject", table: "Car", pk: id },
    { type: "Update", table: "Car", pk: id, path: ["ownerId"], value: ownerId },
    { type: "Update", table: "Car", pk: id, path: ["make"], value: make },
    { type: "Update", table: "Car", pk: id, path: ["miles"], value: Long.fromNumber(miles) },
  ];
}

function setMiles(id: ObjectId, miles: number): Instruction {
  return { type: "Update", table: "Car", pk: id, path: ["miles"], value: Long.fromNumber(miles) };
}

function touches(instructions: Instruction[], id: ObjectId, type?: Instruction["type"]): boolean {
  return instructions.some(
    (i) => i.pk instanceof ObjectId && i.pk.equals(id) && (type === undefined || i.type === type),
  );
}

let t: SyncTestServer;

beforeAll(async () => {
  t = await startSyncServer({ sync: { bootstrapBatchSize: 2, maxMessageBytes: 64 * 1024 } });
});
afterAll(async () => {
  await t.stop();
});

async function device(login: TestLogin, query?: Record<string, string>): Promise<SyncTestClient> {
  const client = await t.connect(login);
  await client.bind();
  if (query) await client.subscribe(1, query);
  await client.mark();
  return client;
}

async function storedCar(id: ObjectId) {
  return t.server.data.system().db("cars-db").collection("Car").findOne({ _id: id });
}

describe("bind and ident", () => {
  it("allocates an identity for a new file and accepts it again on reconnect", async () => {
    const login = await t.logIn();
    const first = await t.connect(login);
    const file = await first.bind();
    expect(file.ident).toBeGreaterThan(1);
    await first.mark();
    await first.close();

    const again = await t.connect(login);
    again.cursor = first.cursor;
    expect(await again.bind({ file })).toEqual(file);
    await again.mark();
    expect(again.received.some((m) => m.type === "error")).toBe(false);
  });

  it("refuses a known file with the wrong salt, and another user's file", async () => {
    const owner = await t.logIn();
    const client = await t.connect(owner);
    const file = await client.bind();
    await client.mark();

    const wrongSalt = await t.connect(owner);
    wrongSalt.send({
      type: "bind",
      session: 1,
      clientFileIdent: { ident: file.ident, salt: file.salt + 1 },
      schemaVersion: 0,
      schema: [],
    });
    expect(await wrongSalt.next("error")).toMatchObject({ code: 208, session: 1 });
    await wrongSalt.closed();

    const stranger = await t.connect(await t.logIn());
    stranger.send({
      type: "bind",
      session: 1,
      clientFileIdent: file,
      schemaVersion: 0,
      schema: [],
    });
    expect(await stranger.next("error")).toMatchObject({ code: 223 });
    await stranger.closed();
  });

  it("refuses a client schema that does not fit schema.json (development mode off)", async () => {
    const client = await t.connect(await t.logIn());
    client.send({
      type: "bind",
      session: 1,
      clientFileIdent: null,
      schemaVersion: 0,
      schema: [
        {
          name: "Car",
          primaryKey: "_id",
          embedded: false,
          asymmetric: false,
          properties: {
            _id: { name: "_id", type: "objectId", optional: false },
            miles: { name: "miles", type: "string", optional: true },
          },
        },
      ],
    });
    const error = await client.next("error");
    expect(error.code).toBe(225);
    expect(error.message).toContain("Car.miles");
    await client.closed();
  });
});

describe("subscriptions", () => {
  it("bootstraps a new set in batches, then answers the mark", async () => {
    const login = await t.logIn();
    const writer = await device(login, { Car: "ownerId == $0".replace("$0", `"${login.userId}"`) });
    const ids = Array.from({ length: 5 }, () => new ObjectId());
    let last = 0;
    for (const [i, id] of ids.entries()) last = writer.upload(car(id, login.userId, "Kia", 10 + i));
    await writer.acknowledged(last);

    const reader = await device(login);
    const batches = await reader.subscribe(1, { Car: "miles < 100" });
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(batches.slice(0, -1).every((b) => b.batchState === BatchState.MoreToCome)).toBe(true);
    expect(batches.at(-1)!.batchState).toBe(BatchState.LastInBatch);
    const created = batches
      .flatMap((b) => b.changesets)
      .flatMap((c) => decodeChangeset(c.changeset))
      .filter((i) => i.type === "CreateObject");
    expect(created).toHaveLength(5);
    await reader.mark();
  });

  it("refuses a query on a non-queryable field with 226 and keeps the session working", async () => {
    const login = await t.logIn();
    const client = await device(login);
    client.send({ type: "query", session: 1, queryVersion: 1, query: { Car: "make == 'Kia'" } });
    const refused = await client.next("queryError");
    expect(refused).toMatchObject({ queryVersion: 1, code: 226 });
    expect(refused.message).toContain("make");
    const batches = await client.subscribe(2, { Car: "miles < 100" });
    expect(batches.at(-1)!.batchState).toBe(BatchState.LastInBatch);
    await client.mark();
    const logs = await t.server.logs.query({ type: "sync", userId: login.userId });
    expect(
      logs.some((e) => e.outcome === "error" && e.message.includes("(ProtocolErrorCode=226)")),
    ).toBe(true);
  });

  it("refuses full-text search (TEXT) with 226, as sync does not serve it", async () => {
    const login = await t.logIn();
    const client = await device(login);
    const query = { Car: "ownerId TEXT 'kia -red'" };
    client.send({ type: "query", session: 1, queryVersion: 1, query });
    const refused = await client.next("queryError");
    expect(refused).toMatchObject({ queryVersion: 1, code: 226 });
    expect(refused.message).toContain("full-text search (TEXT) is not supported");
  });
});

describe("uploads and fan-out", () => {
  it("acknowledges an upload without echoing it; a device with an overlapping view receives it", async () => {
    const login = await t.logIn();
    const a = await device(login, { Car: "miles < 100" });
    const b = await device(login, { Car: "miles < 500" });
    const id = new ObjectId();
    const seenByA = a.received.length;
    const version = a.upload(car(id, login.userId, "Saab", 42));
    const ack = await a.acknowledged(version);
    expect(ack.upload.clientVersion).toBe(version);
    const forB = await b.next("download", (d) => d.changesets.length > 0);
    expect(touches(decodeChangeset(forB.changesets[0]!.changeset), id, "CreateObject")).toBe(true);
    await a.mark();
    expect(touches(a.downloadedInstructions(seenByA), id)).toBe(false);
    expect(await storedCar(id)).toMatchObject({ make: "Saab", ownerId: login.userId });
  });

  it("sends the whole object when it enters a view and an erase when it leaves", async () => {
    const login = await t.logIn();
    const watcher = await device(login, { Car: "miles < 100" });
    const writer = await device(login, { Car: "miles >= 0" });
    const id = new ObjectId();
    await writer.acknowledged(writer.upload(car(id, login.userId, "Fiat", 150)));
    await watcher.mark();
    expect(touches(watcher.downloadedInstructions(), id)).toBe(false);

    let from = watcher.received.length;
    await writer.acknowledged(writer.upload([setMiles(id, 50)]));
    await watcher.mark();
    const entered = watcher.downloadedInstructions(from);
    expect(touches(entered, id, "CreateObject")).toBe(true);
    expect(
      entered.some((i) => i.type === "Update" && i.path[0] === "make" && i.value === "Fiat"),
    ).toBe(true);

    from = watcher.received.length;
    await writer.acknowledged(writer.upload([setMiles(id, 250)]));
    await watcher.mark();
    expect(touches(watcher.downloadedInstructions(from), id, "EraseObject")).toBe(true);
    expect(await storedCar(id)).toMatchObject({ miles: 250 });
  });

  it("applies a re-upload after a reconnect exactly once", async () => {
    const login = await t.logIn();
    const first = await device(login, { Car: "miles >= 0" });
    const id = new ObjectId();
    await first.acknowledged(first.upload(car(id, login.userId, "Lada", 10)));
    const add: Instruction = {
      type: "AddInteger",
      table: "Car",
      pk: id,
      path: ["miles"],
      value: Long.fromNumber(5),
    };
    const version = first.upload([add]);
    await first.acknowledged(version);
    await first.close();

    const again = await t.connect(login);
    again.cursor = { serverVersion: 0, lastIntegratedClientVersion: 0 };
    await again.bind({ file: first.file!, queryVersion: 1, query: { Car: "miles >= 0" } });
    again.upload([add], { clientVersion: version });
    const ack = await again.acknowledged(version);
    expect(ack.upload.clientVersion).toBeGreaterThanOrEqual(version);
    await again.mark();
    expect((await storedCar(id))?.miles).toEqual(15);
  });
});

describe("compensating writes", () => {
  it("reverts out-of-view and forbidden writes with 231 before the correcting download, and keeps the allowed rest", async () => {
    const login = await t.logIn();
    const other = await t.logIn();
    const client = await device(login, { Car: "miles < 100" });
    const peer = await device(login, { Car: "miles < 100" });
    const outOfView = new ObjectId();
    const forbidden = new ObjectId();
    const allowed = new ObjectId();
    const from = client.received.length;
    const version = client.upload([
      ...car(outOfView, login.userId, "Volvo", 500),
      ...car(forbidden, other.userId, "Ford", 5),
      ...car(allowed, login.userId, "Mini", 7),
    ]);
    const error = await client.next("error");
    expect(error).toMatchObject({
      code: 231,
      tryAgain: true,
      action: "Warning",
      message:
        "Client attempted a write that is outside of permissions or query filters; it has been reverted",
      rejectedClientVersion: version,
    });
    const reasons = Object.fromEntries(
      error.rejectedUpdates!.map((u) => [(u.pk as ObjectId).toHexString(), u.reason]),
    );
    expect(reasons).toEqual({
      [outOfView.toHexString()]: `write to "${outOfView.toHexString()}" in table "Car" ${VIEW_REASON}`,
      [forbidden.toHexString()]: `write to "${forbidden.toHexString()}" in table "Car" was denied by write filter in role "owner-read-write"`,
    });
    const correction = await client.acknowledged(version);
    const errorAt = client.received.indexOf(error);
    expect(client.received.indexOf(correction)).toBeGreaterThan(errorAt);
    expect(correction.changesets[0]).toMatchObject({
      serverVersion: error.compensatingWriteServerVersion,
      originFileIdent: 1,
      lastIntegratedClientVersion: version,
    });
    const corrected = client.downloadedInstructions(from);
    expect(touches(corrected, outOfView, "EraseObject")).toBe(true);
    expect(touches(corrected, forbidden, "EraseObject")).toBe(true);
    expect(touches(corrected, allowed)).toBe(false);

    expect(await storedCar(allowed)).toMatchObject({ make: "Mini" });
    expect(await storedCar(outOfView)).toBeNull();
    expect(await storedCar(forbidden)).toBeNull();
    const forPeer = await peer.next("download", (d) => d.changesets.length > 0);
    expect(
      touches(decodeChangeset(forPeer.changesets[0]!.changeset), allowed, "CreateObject"),
    ).toBe(true);

    const logs = await t.server.logs.query({ userId: login.userId });
    const line = logs.find((e) => e.message.endsWith("(ProtocolErrorCode=231)"));
    expect(line).toMatchObject({
      outcome: "error",
      message:
        "Client attempted a write that is outside of permissions or query filters; it has been reverted (ProtocolErrorCode=231)",
      details: {
        Car: {
          [outOfView.toHexString()]: `write to "${outOfView.toHexString()}" in table "Car" ${VIEW_REASON}`,
          [forbidden.toHexString()]: `write to "${forbidden.toHexString()}" in table "Car" was denied by write filter in role "owner-read-write"`,
        },
      },
    });
  });
});

describe("data ingest and writes from elsewhere", () => {
  it("stores an asymmetric insert, acknowledges it, and never sends it to another device", async () => {
    const login = await t.logIn();
    const sensor = await device(login);
    const watcher = await device(login, { Car: "miles >= 0" });
    const id = new ObjectId();
    const reading: Instruction[] = [
      { type: "CreateObject", table: "SensorReading", pk: id },
      { type: "Update", table: "SensorReading", pk: id, path: ["ownerId"], value: login.userId },
      { type: "Update", table: "SensorReading", pk: id, path: ["carId"], value: new ObjectId() },
      { type: "Update", table: "SensorReading", pk: id, path: ["timestamp"], value: new Date() },
      { type: "Update", table: "SensorReading", pk: id, path: ["value"], value: 21.5 },
    ];
    const version = sensor.upload(reading);
    const ack = await sensor.acknowledged(version);
    expect(ack.changesets).toEqual([]);
    expect(sensor.received.some((m) => m.type === "error")).toBe(false);
    const stored = await t.server.data
      .system()
      .db("cars-db")
      .collection("SensorReading")
      .findOne({ _id: id });
    expect(stored).toMatchObject({ ownerId: login.userId, value: 21.5 });
    await watcher.mark();
    expect(watcher.downloadedInstructions().some((i) => i.table === "SensorReading")).toBe(false);
  });

  it("sends a data-access insert to a subscribed device", async () => {
    const login = await t.logIn();
    const client = await device(login, { Car: "miles < 100" });
    const id = new ObjectId();
    await t.server.data
      .system()
      .db("cars-db")
      .collection("Car")
      .insertOne({ _id: id, ownerId: login.userId, make: "Tata", miles: 3 });
    const download = await client.next("download", (d) => d.changesets.length > 0);
    const instructions = decodeChangeset(download.changesets[0]!.changeset);
    expect(touches(instructions, id, "CreateObject")).toBe(true);
    expect(download.changesets[0]!.originFileIdent).toBe(1);
  });
});

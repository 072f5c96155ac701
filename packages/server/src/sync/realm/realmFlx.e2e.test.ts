import { describe, expect, it } from "vitest";
import type { RealmFlxDevice } from "./test-support/RealmFlxDevice.js";
import {
  CHEAP_CARS,
  NATIVE_CAR_SCHEMA as CAR_SCHEMA,
  useRealmFlxServer,
} from "./test-support/realmFlxHarness.js";

describe("a native Realm app (realm-core 14) syncs with Atoll", () => {
  const { sync, device } = useRealmFlxServer();

  it("a car created on one device reaches the same user's second device", async () => {
    const email = "native@example.com";
    const password = "password123";
    const first = await device("first");
    await first.command({ cmd: "logLevel", level: "debug" });
    await first.command({ cmd: "register", email, password });
    const { userId } = await first.command({ cmd: "login", provider: "email", email, password });
    const subscriptions = [{ name: "mine", class: "Car", query: `ownerId == "${String(userId)}"` }];
    await first.command({ cmd: "open", path: "cars.realm", schema: CAR_SCHEMA, subscriptions });
    await first.command({
      cmd: "write",
      ops: [
        {
          op: "create",
          class: "Car",
          value: {
            _id: { $oid: "65f1a1b2c3d4e5f601234567" },
            ownerId: userId,
            make: "VW",
            miles: 5,
          },
        },
      ],
    });
    await first.command({ cmd: "upload" });

    const second = await device("second");
    await second.command({ cmd: "login", provider: "email", email, password });
    await second.command({ cmd: "open", path: "cars.realm", schema: CAR_SCHEMA, subscriptions });
    await second.command({ cmd: "download" });
    const { objects } = await second.command({ cmd: "query", class: "Car" });
    expect(objects).toEqual([
      {
        _id: { $oid: "65f1a1b2c3d4e5f601234567" },
        ownerId: userId,
        make: "VW",
        model: null,
        miles: { $numberLong: "5" },
      },
    ]);
  });

  async function signedIn(name: string): Promise<{ native: RealmFlxDevice; userId: string }> {
    const native = await device(name);
    const { userId } = await native.command({ cmd: "login", provider: "anonymous" });
    return { native, userId: String(userId) };
  }

  async function openCheapCars(native: RealmFlxDevice): Promise<void> {
    await native.command({
      cmd: "open",
      path: "cars.realm",
      schema: CAR_SCHEMA,
      subscriptions: CHEAP_CARS,
    });
  }
  const create = (value: Record<string, unknown>) => ({
    cmd: "write",
    ops: [{ op: "create", class: "Car", value }],
  });

  it("a car written for another owner is reverted on the device, with Atlas' compensating write error", async () => {
    const { native } = await signedIn("writer");
    await openCheapCars(native);
    const _id = "65f1a1b2c3d4e5f6012345ff";
    await native.command(
      create({ _id: { $oid: _id }, ownerId: "someone-else", make: "VW", miles: 5 }),
    );
    await native.command({ cmd: "upload" });

    const error = await native.event((event) => event.event === "syncError");
    expect(error).toMatchObject({
      code: 231,
      codeName: "SyncCompensatingWrite",
      isFatal: false,
      action: "Warning",
      compensatingWrites: [
        {
          objectName: "Car",
          primaryKey: { $oid: _id },
          reason: `write to "${_id}" in table "Car" was denied by write filter in role "owner-read-write"`,
        },
      ],
    });
    await native.command({ cmd: "download" });
    expect(await native.command({ cmd: "query", class: "Car" })).toMatchObject({ count: 0 });
    const stored = await sync().server.data.system().db("cars-db").collection("Car").findOne({});
    expect(stored).toBeNull();
  });

  it("a car written outside the device's subscriptions is reverted, as outside of the query view", async () => {
    const { native, userId } = await signedIn("viewer");
    await openCheapCars(native);
    const _id = "65f1a1b2c3d4e5f601234aaa";
    await native.command(create({ _id: { $oid: _id }, ownerId: userId, make: "Lada", miles: 500 }));
    await native.command({ cmd: "upload" });
    const error = await native.event((event) => event.event === "syncError");
    expect(error).toMatchObject({
      code: 231,
      compensatingWrites: [
        {
          objectName: "Car",
          reason: `write to "${_id}" in table "Car" not allowed; object is outside of the current query view`,
        },
      ],
    });
    await native.command({ cmd: "download" });
    expect(await native.command({ cmd: "query", class: "Car" })).toMatchObject({ count: 0 });
  });

  it("another user's device does not see the car, and a car's later change reaches an open device", async () => {
    const email = "live@example.com";
    const password = "password123";
    const first = await device("first-live");
    await first.command({ cmd: "register", email, password });
    const { userId } = await first.command({ cmd: "login", provider: "email", email, password });
    await openCheapCars(first);
    const second = await device("second-live");
    await second.command({ cmd: "login", provider: "email", email, password });
    await openCheapCars(second);
    const { native: stranger } = await signedIn("stranger");
    await openCheapCars(stranger);

    const _id = { $oid: "65f1a1b2c3d4e5f601234bbb" };
    await first.command(create({ _id, ownerId: userId, make: "Fiat", miles: 10 }));
    await first.command({ cmd: "upload" });
    await second.command({ cmd: "download" });
    expect(await second.command({ cmd: "query", class: "Car" })).toMatchObject({ count: 1 });

    await first.command({
      cmd: "write",
      ops: [{ op: "set", class: "Car", pk: _id, field: "miles", value: 11 }],
    });
    await first.command({ cmd: "upload" });
    await second.command({ cmd: "download" });
    const { objects } = await second.command({ cmd: "query", class: "Car" });
    expect(objects).toEqual([expect.objectContaining({ miles: { $numberLong: "11" } })]);

    await stranger.command({ cmd: "download" });
    expect(await stranger.command({ cmd: "query", class: "Car" })).toMatchObject({ count: 0 });
  });

  it("a session resumed with its file's identity (bind, then IDENT) goes on syncing", async () => {
    const email = "resume@example.com";
    const password = "password123";
    const first = await device("first-resume");
    await first.command({ cmd: "register", email, password });
    const { userId } = await first.command({ cmd: "login", provider: "email", email, password });
    await openCheapCars(first);
    await first.command(
      create({ _id: { $oid: "65f1a1b2c3d4e5f601234d01" }, ownerId: userId, make: "Kia", miles: 1 }),
    );
    await first.command({ cmd: "upload" });
    await first.command({ cmd: "pause" });
    await first.command(
      create({
        _id: { $oid: "65f1a1b2c3d4e5f601234d02" },
        ownerId: userId,
        make: "Seat",
        miles: 2,
      }),
    );
    await first.command({ cmd: "resume" });
    await first.command({ cmd: "upload" });

    const second = await device("second-resume");
    await second.command({ cmd: "login", provider: "email", email, password });
    await openCheapCars(second);
    const { objects } = await second.command({ cmd: "query", class: "Car", sort: "miles ASC" });
    expect(objects).toEqual([
      expect.objectContaining({ make: "Kia" }),
      expect.objectContaining({ make: "Seat" }),
    ]);
    expect(first.events.filter((event) => event.event === "syncError")).toEqual([]);
  });

  it("a subscription on a field that is not queryable fails with the server's reason; the session goes on", async () => {
    const { native, userId } = await signedIn("querier");
    await openCheapCars(native);
    const refused = await native.send({
      cmd: "subscribe",
      subscriptions: [{ name: "by-make", class: "Car", query: 'make == "VW"' }],
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: "SubscriptionFailed", message: expect.stringContaining("make") },
    });
    await native.command(
      create({ _id: { $oid: "65f1a1b2c3d4e5f601234e01" }, ownerId: userId, make: "VW", miles: 3 }),
    );
    await native.command({ cmd: "upload" });
    const stored = await sync().server.data.system().db("cars-db").collection("Car").findOne({});
    expect(stored).toMatchObject({ make: "VW", ownerId: userId });
  });

  it("a reading ingested into an asymmetric type (data ingest) reaches the server's collection", async () => {
    const { native, userId } = await signedIn("sensor");
    const SENSOR = {
      name: "SensorReading",
      asymmetric: true,
      primaryKey: "_id",
      properties: {
        _id: "objectId",
        ownerId: "string",
        carId: "objectId",
        timestamp: "date",
        value: "double",
      },
    };
    await native.command({
      cmd: "open",
      path: "cars.realm",
      schema: [...CAR_SCHEMA, SENSOR],
      subscriptions: CHEAP_CARS,
    });
    await native.command({
      cmd: "write",
      ops: [
        {
          op: "ingest",
          class: "SensorReading",
          value: {
            ownerId: userId,
            carId: { $oid: "65f1a1b2c3d4e5f601234567" },
            timestamp: { $date: { $numberLong: "1700000000000" } },
            value: 21.5,
          },
        },
      ],
    });
    await native.command({ cmd: "upload" });
    const stored = await sync()
      .server.data.system()
      .db("cars-db")
      .collection("SensorReading")
      .findOne({});
    expect(stored).toMatchObject({ ownerId: userId, value: 21.5 });
    expect(native.events.filter((event) => event.event === "syncError")).toEqual([]);
  });
});

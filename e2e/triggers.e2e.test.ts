/**
 * Triggers seen from devices: a car a device creates over sync fires the app's database
 * triggers exactly as a car inserted through the data API does, the model a trigger's
 * function fills in reaches the device, and an authentication trigger's custom user data is
 * in a new user's first token.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { App, Credentials } from "@atoll/client";
import { ObjectId } from "bson";
import { afterAll, describe, expect, it } from "vitest";
import { useAppServer } from "../packages/client/src/test-support/appServer.js";
import type { Car } from "./support/carModel.js";
import { useDevices, whenRealm } from "./support/syncHarness.js";

const TRIGGERS_APP_DIR = fileURLToPath(
  new URL("../packages/server/src/triggers/test-app", import.meta.url),
);

const server = useAppServer({ appDir: TRIGGERS_APP_DIR });
const device = useDevices(server);

type Recorded = { event: Record<string, unknown> & { documentKey: { _id: unknown } } };

/** The events the recording trigger saw for one car, without what differs between any two cars. */
async function eventsOf(carId: ObjectId): Promise<unknown[]> {
  await server().server.triggers.whenIdle();
  const recorded = (await server()
    .server.data.system()
    .db("triggers")
    .collection("carEvents")
    .find({ "event.documentKey._id": carId })) as unknown as Recorded[];
  const withoutKeys = (doc: unknown) => {
    if (doc === undefined) return undefined;
    const { _id, ownerId: _ownerId, ...fields } = doc as Record<string, unknown>;
    return fields;
  };
  return recorded.map(({ event }) => {
    const { _id, clusterTime: _time, wallTime: _wallTime, documentKey: _key, ...rest } = event;
    return {
      ...rest,
      fullDocument: withoutKeys(rest["fullDocument"]),
      fullDocumentBeforeChange: withoutKeys(rest["fullDocumentBeforeChange"]),
    };
  });
}

describe("database triggers and devices", () => {
  it("a device's write over sync fires the trigger as a data-API write does, and the trigger's write reaches the device", async () => {
    const { realm, user } = await device();
    const fromDevice = new ObjectId();
    realm.write(() => {
      realm.create("Car", { _id: fromDevice, ownerId: user.id, make: "Volvo", miles: 5 });
    });
    const filled = await whenRealm(realm, () => {
      const car = realm.objectForPrimaryKey<Car>("Car", fromDevice);
      return car?.model ?? undefined;
    });
    expect(filled).toBe("Volvo (model filled by a trigger)");

    const fromDataApi = new ObjectId();
    await user
      .mongoClient("mongodb-atlas")
      .db("cars-db")
      .collection("Car")
      .insertOne({ _id: fromDataApi, ownerId: user.id, make: "Volvo", miles: 5 });
    const alsoFilled = await whenRealm(realm, () => {
      const car = realm.objectForPrimaryKey<Car>("Car", fromDataApi);
      return car?.model ?? undefined;
    });
    expect(alsoFilled).toBe("Volvo (model filled by a trigger)");

    const deviceEvents = await eventsOf(fromDevice);
    expect(deviceEvents.map((e) => (e as { operationType: string }).operationType)).toEqual([
      "insert",
      "update",
    ]);
    expect(deviceEvents).toEqual(await eventsOf(fromDataApi));
  });

  it("a device's change to a field and its deletion fire update and delete events", async () => {
    const { realm, user } = await device();
    const id = new ObjectId();
    realm.write(() => {
      realm.create("Car", { _id: id, ownerId: user.id, make: "Saab", model: "900", miles: 7 });
    });
    await realm.syncSession?.uploadAllLocalChanges();
    realm.write(() => {
      realm.objectForPrimaryKey<Car>("Car", id)!.miles = 8;
    });
    await realm.syncSession?.uploadAllLocalChanges();
    realm.write(() => realm.delete(realm.objectForPrimaryKey<Car>("Car", id)!));
    await realm.syncSession?.uploadAllLocalChanges();

    const events = (await eventsOf(id)) as Record<string, unknown>[];
    expect(events.map((e) => e["operationType"])).toEqual(["insert", "update", "delete"]);
    expect(events[1]).toMatchObject({
      updateDescription: { updatedFields: { miles: 8 }, removedFields: [] },
      fullDocumentBeforeChange: { miles: 7 },
    });
  });
});

describe("authentication triggers and devices", () => {
  const root = mkdtempSync(join(tmpdir(), "atoll-e2e-auth-trigger-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("a user who registers and logs in has the custom user data the CREATE trigger wrote", async () => {
    const app = new App({ id: server().appId, baseUrl: server().url, baseFilePath: root });
    await app.emailPasswordAuth.registerUser({
      email: "new@example.com",
      password: "correct horse battery",
    });
    const user = await app.logIn(
      Credentials.emailPassword("new@example.com", "correct horse battery"),
    );
    expect(user.customData).toMatchObject({
      userId: user.id,
      plan: "free",
      signedUpWith: ["local-userpass"],
    });
  });
});

/**
 * Triggers seen from devices, on a server in process: a device's change to a car and its
 * deletion fire update and delete events, and an authentication trigger's custom user data is
 * in a new user's first token. (A device's insert against a data-API insert, under `atoll
 * serve`, is `exampleWithTriggers.e2e.test.ts`.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Credentials } from "@atoll/client";
import { ObjectId } from "bson";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useAppServer } from "../packages/client/src/test-support/appServer.js";
import {
  comparableCarEvent,
  TRIGGERS_EXAMPLE_DIR,
  TRIGGERS_EXAMPLE_SECRETS,
} from "../packages/server/src/triggers/test-support/triggersExample.js";
import type { Car } from "./support/carModel.js";
import { useDevices } from "./support/syncHarness.js";

beforeAll(() => {
  for (const [name, value] of Object.entries(TRIGGERS_EXAMPLE_SECRETS)) vi.stubEnv(name, value);
});
afterAll(() => vi.unstubAllEnvs());
const server = useAppServer({ appDir: TRIGGERS_EXAMPLE_DIR });
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
  return recorded.map(({ event }) => comparableCarEvent(event));
}

describe("database triggers and devices", () => {
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

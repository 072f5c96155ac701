/**
 * Functions seen from a native Realm app: custom user data that a function wrote, read by
 * realm-core from the refreshed access token (dates included), and a document a function
 * inserts reaching the device through sync.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { copyCarsApp } from "../../config/test-support/appFixture.js";
import { startSyncServer } from "../test-support/startSyncServer.js";
import { RealmFlxDevice } from "./test-support/RealmFlxDevice.js";
import { NATIVE_CAR_SCHEMA, useCleanUp } from "./test-support/realmFlxHarness.js";

const cleanUp = useCleanUp();

/** The cars app with one more function: `addCar` inserts a car owned by its caller. */
async function carsAppWithAddCar(): Promise<string> {
  const app = await copyCarsApp();
  cleanUp(app.remove);
  const functions = path.join(app.dir, "functions");
  await writeFile(
    path.join(functions, "addCar.js"),
    `exports = async function addCar(make, miles) {
  const cars = context.services.get("mongodb-atlas").db("cars-db").collection("Car");
  const { insertedId } = await cars.insertOne({ ownerId: context.user.id, make, miles });
  return insertedId;
};
`,
  );
  await writeFile(
    path.join(functions, "config.json"),
    JSON.stringify([
      { name: "writeCustomUserData", private: false, run_as_system: true },
      { name: "addCar", private: false, run_as_system: true },
    ]),
  );
  return app.dir;
}

async function signedInDevice(name: string): Promise<{ native: RealmFlxDevice; userId: string }> {
  const sync = await startSyncServer({ appDir: await carsAppWithAddCar() });
  cleanUp(() => sync.stop());
  const native = await RealmFlxDevice.start(name, sync.server.url, sync.server.appId);
  cleanUp(() => native.quit());
  const email = `${name}@example.com`;
  const password = "pizza-lover";
  await native.command({ cmd: "register", email, password });
  const { userId } = await native.command({ cmd: "login", provider: "email", email, password });
  return { native, userId: String(userId) };
}

it("reads custom user data, dates included, after the seed's function wrote it and the data was refreshed", async () => {
  const { native, userId } = await signedInDevice("custom-data");
  expect(await native.command({ cmd: "customData" })).toMatchObject({ customData: {} });

  const lastUpdated = { $date: { $numberLong: "1765100000123" } };
  const { result } = await native.command({
    cmd: "call",
    name: "writeCustomUserData",
    args: [{ userId, favoriteFood: "pizza", lastUpdated, visits: 3, rating: 4.5 }],
  });
  expect(result).toMatchObject({
    matchedCount: { $numberInt: "0" },
    modifiedCount: { $numberInt: "0" },
  });
  expect(await native.command({ cmd: "customData" })).toMatchObject({ customData: {} });

  const { customData } = await native.command({ cmd: "refreshCustomData" });
  expect(customData).toMatchObject({
    userId,
    favoriteFood: "pizza",
    lastUpdated,
    visits: { $numberLong: "3" },
    rating: { $numberDouble: "4.5" },
  });
  expect(await native.command({ cmd: "customData" })).toEqual({ ok: true, customData });
});

it("a car a function inserts reaches the caller's open device", async () => {
  const { native, userId } = await signedInDevice("function-insert");
  await native.command({
    cmd: "open",
    path: "cars.realm",
    schema: NATIVE_CAR_SCHEMA,
    subscriptions: [{ name: "mine", class: "Car", query: `ownerId == "${userId}"` }],
  });
  const { result } = await native.command({ cmd: "call", name: "addCar", args: ["Trabant", 7] });
  await native.command({ cmd: "download" });
  expect(await native.command({ cmd: "query", class: "Car" })).toMatchObject({
    count: 1,
    objects: [{ _id: result, ownerId: userId, make: "Trabant", miles: { $numberLong: "7" } }],
  });
});

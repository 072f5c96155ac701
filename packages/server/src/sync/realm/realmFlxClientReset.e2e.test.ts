/**
 * Client resets of a realm-core device.
 *
 * - Offline for longer than the app's client_max_offline_days (30 in the cars app), its file
 *   has expired, so its next session fails with client_file_expired (222), whose action is a
 *   client reset. realm-core then downloads a fresh copy (a bind asking for a new identity)
 *   and, in the recover modes, uploads again what the device wrote while offline; in the
 *   discard mode it drops it.
 * - A device that cannot integrate what it downloaded reports it (`json_error` 212); the
 *   server answers with a client reset, and the fresh copy, built from the server's current
 *   state, gets past the changeset the device could not apply.
 */
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";
import { RealmFlxDevice } from "./test-support/RealmFlxDevice.js";
import {
  CHEAP_CARS,
  NATIVE_CAR_SCHEMA as CAR_SCHEMA,
  useCleanUp,
} from "./test-support/realmFlxHarness.js";

const DAY_MS = 24 * 60 * 60 * 1000;

const cleanUp = useCleanUp();

async function openDevice(
  sync: SyncTestServer,
  clientResetMode = "recoverOrDiscard",
): Promise<{ native: RealmFlxDevice; userId: string }> {
  const native = await RealmFlxDevice.start("reset", sync.server.url, sync.server.appId);
  cleanUp(() => native.quit());
  const { userId } = await native.command({ cmd: "login", provider: "anonymous" });
  await native.command({
    cmd: "open",
    path: "cars.realm",
    schema: CAR_SCHEMA,
    subscriptions: CHEAP_CARS,
    clientResetMode,
  });
  return { native, userId: String(userId) };
}

describe.each([
  { mode: "recoverOrDiscard", recovers: true },
  { mode: "recover", recovers: true },
  { mode: "discardLocal", recovers: false },
])("a device offline beyond client_max_offline_days, reset mode $mode", ({ mode, recovers }) => {
  it(`resets, and what it wrote offline ${recovers ? "reaches the server" : "is discarded"}`, async () => {
    let clock = Date.UTC(2026, 0, 1);
    const sync = await startSyncServer({ sync: { now: () => new Date(clock) } });
    cleanUp(() => sync.stop());
    const { native, userId } = await openDevice(sync, mode);
    await native.command({ cmd: "pause" });
    await native.command({
      cmd: "write",
      ops: [
        {
          op: "create",
          class: "Car",
          value: {
            _id: { $oid: "65f1a1b2c3d4e5f601234f99" },
            ownerId: userId,
            make: "Trabant",
            miles: 9,
          },
        },
      ],
    });
    // The session's end is the time last seen: move the clock only once the server has ended it.
    while (sync.server.sync!.sessionCount > 0)
      await new Promise((resolve) => setTimeout(resolve, 10));
    clock += 31 * DAY_MS;
    await native.command({ cmd: "resume" });

    const reset = await native.event(
      (event) => event.event === "clientReset" && event.phase === "after",
    );
    expect(reset).toMatchObject({ didRecover: recovers });
    await native.command({ cmd: "upload" });
    const stored = await sync.server.data.system().db("cars-db").collection("Car").findOne({});
    if (recovers) expect(stored).toMatchObject({ make: "Trabant", ownerId: userId });
    else expect(stored).toBeNull();
    const { count } = await native.command({ cmd: "query", class: "Car" });
    expect(count).toBe(recovers ? 1 : 0);
  });
});

it("a device that cannot integrate a download is answered with a client reset, and its fresh copy syncs", async () => {
  const sync = await startSyncServer();
  cleanUp(() => sync.stop());
  const { native, userId } = await openDevice(sync);
  const cars = sync.server.data.system().db("cars-db").collection("Car");
  const _id = new ObjectId();
  // While the device is away, a system write puts a number where its schema has a string
  // (realm-core refuses to apply it), then corrects it: the device downloads both changes.
  await native.command({ cmd: "pause" });
  await cars.insertOne({ _id, ownerId: userId, make: 42, miles: 5 });
  await cars.updateOne({ _id }, { $set: { make: "Wartburg" } });
  await native.command({ cmd: "resume" });

  const refused = await native.event(
    (event) => event.event === "syncError" && event.codeName === "BadChangeset",
  );
  expect(refused.message).toContain("Type mismatch in 'class_Car.make'");
  const reset = await native.event(
    (event) => event.event === "clientReset" && event.phase === "after",
  );
  expect(reset).toMatchObject({ didRecover: true });
  const { objects } = await native.command({ cmd: "query", class: "Car" });
  expect(objects).toMatchObject([{ _id: { $oid: _id.toHexString() }, make: "Wartburg" }]);
});

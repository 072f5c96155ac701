/**
 * A client reset of a realm-core device: offline for longer than the app's
 * client_max_offline_days (30 in the cars app), its file has expired, so its next session fails
 * with client_file_expired (222), whose action is a client reset. realm-core then downloads a
 * fresh copy (a bind asking for a new identity) and, in its default recover-or-discard mode,
 * uploads again what the device wrote while offline.
 */
import { expect, it } from "vitest";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";
import { RealmFlxDevice } from "./test-support/RealmFlxDevice.js";
import {
  CHEAP_CARS,
  NATIVE_CAR_SCHEMA as CAR_SCHEMA,
  useCleanUp,
} from "./test-support/realmFlxHarness.js";

const DAY_MS = 24 * 60 * 60 * 1000;

const cleanUp = useCleanUp();

it("a device offline beyond client_max_offline_days resets, and what it wrote offline reaches the server", async () => {
  let clock = Date.UTC(2026, 0, 1);
  const sync: SyncTestServer = await startSyncServer({ sync: { now: () => new Date(clock) } });
  cleanUp(() => sync.stop());
  const native = await RealmFlxDevice.start("reset", sync.server.url, sync.server.appId);
  cleanUp(() => native.quit());
  const { userId } = await native.command({ cmd: "login", provider: "anonymous" });
  await native.command({
    cmd: "open",
    path: "cars.realm",
    schema: CAR_SCHEMA,
    subscriptions: CHEAP_CARS,
  });
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
  expect(reset).toMatchObject({ didRecover: true });
  await native.command({ cmd: "upload" });
  const stored = await sync.server.data.system().db("cars-db").collection("Car").findOne({});
  expect(stored).toMatchObject({ make: "Trabant", ownerId: userId });
});

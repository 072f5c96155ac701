/**
 * A native Realm app (realm-core 14, the engine of the Flutter, Swift, Kotlin, React Native
 * and .NET SDKs, run as the realm-flx test program) and an @atoll/client app of the same user
 * share their cars through one Atoll server, both ways.
 */
import { afterEach, expect, it } from "vitest";
import { Realm } from "@atoll/client";
import { RealmFlxDevice } from "../../packages/server/src/sync/realm/test-support/RealmFlxDevice.js";
import {
  CHEAP_CARS,
  NATIVE_CAR_SCHEMA as CAR_SCHEMA,
} from "../../packages/server/src/sync/realm/test-support/realmFlxHarness.js";
import { useDevices, useSyncServer, whenRealm } from "../support/syncHarness.js";

const server = useSyncServer();
const device = useDevices(server);
const natives: RealmFlxDevice[] = [];
afterEach(async () => {
  await Promise.all(natives.splice(0).map((native) => native.quit()));
});

it("a car written on a native Realm device reaches an Atoll device, and one written there comes back", async () => {
  const email = "both-sdks@example.com";
  const atoll = await device({ email });
  const native = await RealmFlxDevice.start("native", server().url, server().appId);
  natives.push(native);
  await native.command({
    cmd: "login",
    provider: "email",
    email,
    password: "correct horse battery",
  });
  await native.command({
    cmd: "open",
    path: "cars.realm",
    schema: CAR_SCHEMA,
    subscriptions: CHEAP_CARS,
  });

  const nativeCar = "65f1a1b2c3d4e5f601234501";
  await native.command({
    cmd: "write",
    ops: [
      {
        op: "create",
        class: "Car",
        value: { _id: { $oid: nativeCar }, ownerId: atoll.user.id, make: "Saab", miles: 12 },
      },
    ],
  });
  await native.command({ cmd: "upload" });
  const received = await whenRealm(atoll.realm, () =>
    atoll.realm.objectForPrimaryKey("Car", new Realm.BSON.ObjectId(nativeCar))?.toJSON(),
  );
  expect(received).toMatchObject({ make: "Saab", miles: 12, ownerId: atoll.user.id });

  const atollCar = new Realm.BSON.ObjectId();
  atoll.realm.write(() => {
    atoll.realm.create("Car", { _id: atollCar, ownerId: atoll.user.id, make: "Volvo", miles: 40 });
  });
  await atoll.realm.syncSession!.uploadAllLocalChanges();
  await native.command({ cmd: "download" });
  const { objects } = await native.command({ cmd: "query", class: "Car", sort: "miles ASC" });
  expect(objects).toEqual([
    expect.objectContaining({ _id: { $oid: nativeCar }, make: "Saab" }),
    expect.objectContaining({
      _id: { $oid: atollCar.toHexString() },
      make: "Volvo",
      miles: { $numberLong: "40" },
    }),
  ]);
});

/**
 * Two or more devices against one real server: what one user writes stays out of another's
 * realm, writes from a server function reach subscribed devices, and a device's live
 * listeners fire when another device's write arrives.
 */
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import type { CollectionChangeSet, Realm } from "@atoll/client";
import type { Car } from "../support/carModel.js";
import { useDevices, useSyncServer, whenRealm } from "../support/syncHarness.js";

const everyCar = { subscribe: (realm: Realm) => realm.objects<Car>("Car") };

describe("sync between devices", () => {
  const server = useSyncServer();
  const device = useDevices(server);

  it("keeps each user's cars out of other users' realms", async () => {
    const alice = await device(everyCar);
    const bob = await device(everyCar);
    const aliceCar = new ObjectId();
    const bobCar = new ObjectId();
    alice.realm.write(() =>
      alice.realm.create("Car", { _id: aliceCar, ownerId: alice.user.id, make: "Saab", miles: 5 }),
    );
    bob.realm.write(() =>
      bob.realm.create("Car", { _id: bobCar, ownerId: bob.user.id, make: "Volvo", miles: 7 }),
    );
    await alice.realm.syncSession!.waitForUpload();
    await bob.realm.syncSession!.waitForUpload();
    await alice.realm.syncSession!.waitForDownload();
    await bob.realm.syncSession!.waitForDownload();

    expect(alice.realm.objects<Car>("Car").map((car) => car.make)).toEqual(["Saab"]);
    expect(bob.realm.objects<Car>("Car").map((car) => car.make)).toEqual(["Volvo"]);
    expect([alice.errors, bob.errors]).toEqual([[], []]);
  });

  it("brings a car a server function inserted to the caller's device", async () => {
    const phone = await device(everyCar);
    const carId = new ObjectId();
    await phone.user.functions.insertCar!({ _id: carId, make: "Fiat", miles: 12 });
    await phone.realm.syncSession!.waitForDownload();
    const car = phone.realm.objectForPrimaryKey<Car>("Car", carId);
    expect([car?.make, car?.miles, car?.ownerId]).toEqual(["Fiat", 12, phone.user.id]);
  });

  it("fires a device's live listeners when another device's write arrives", async () => {
    const email = `listeners-${new ObjectId().toHexString()}@example.com`;
    const phone = await device({ ...everyCar, email });
    const tablet = await device({ ...everyCar, email });
    const cars = tablet.realm.objects<Car>("Car");
    const changes: CollectionChangeSet[] = [];
    const inserted = new Promise<void>((resolve) =>
      cars.addListener((_cars, change) => {
        changes.push(change);
        if (change.insertions.length > 0) resolve();
      }),
    );
    const carId = new ObjectId();
    phone.realm.write(() =>
      phone.realm.create("Car", { _id: carId, ownerId: phone.user.id, make: "Lada", miles: 1 }),
    );
    await inserted;
    expect(cars.map((car) => car.make)).toEqual(["Lada"]);

    const modified = new Promise<void>((resolve) =>
      cars.addListener((_cars, change) => {
        if (change.newModifications.length > 0) resolve();
      }),
    );
    phone.realm.write(() => {
      phone.realm.objectForPrimaryKey<Car>("Car", carId)!.miles = 50;
    });
    await modified;
    expect(tablet.realm.objectForPrimaryKey<Car>("Car", carId)?.miles).toBe(50);

    const gone = whenRealm(tablet.realm, () =>
      tablet.realm.objectForPrimaryKey("Car", carId) === null ? true : undefined,
    );
    phone.realm.write(() => phone.realm.delete(phone.realm.objectForPrimaryKey("Car", carId)));
    await gone;
    expect(cars).toHaveLength(0);
  });

  it("removes a car from a device when an update moves it out of the device's view", async () => {
    const email = `view-${new ObjectId().toHexString()}@example.com`;
    const phone = await device({ email, subscribe: (realm) => realm.objects<Car>("Car") });
    const tablet = await device({ email }); // the seeds' subscription: miles < 100 or null
    const carId = new ObjectId();
    phone.realm.write(() =>
      phone.realm.create("Car", { _id: carId, ownerId: phone.user.id, make: "Audi", miles: 10 }),
    );
    await whenRealm(
      tablet.realm,
      () => tablet.realm.objectForPrimaryKey("Car", carId) ?? undefined,
    );
    phone.realm.write(() => {
      phone.realm.objectForPrimaryKey<Car>("Car", carId)!.miles = 5000;
    });
    await phone.realm.syncSession!.waitForUpload();
    await tablet.realm.syncSession!.waitForDownload();
    expect(tablet.realm.objectForPrimaryKey("Car", carId)).toBeNull();
    expect(phone.realm.objectForPrimaryKey<Car>("Car", carId)?.miles).toBe(5000);
  });
});

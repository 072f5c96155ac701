/**
 * Subscriptions against a real server: `update()` resolves once the new set's data is in the
 * realm; a query on a field that is not queryable is refused (226: `update()` and
 * `waitForSynchronization()` reject) and the set goes to the error state while the previous set
 * stays in force; sets
 * persist in the file and survive a restart; changing the set brings objects in and takes
 * them out of the realm.
 */
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { Realm, SyncError } from "@atoll/client";
import type { Car } from "../support/carModel.js";
import { useDevices, useSyncServer } from "../support/syncHarness.js";

describe("subscriptions", () => {
  const server = useSyncServer();
  const device = useDevices(server);

  it("refuses a subscription on a field that is not queryable", async () => {
    const { realm, user } = await device();
    const before = realm.subscriptions.version;
    const refused = await realm.subscriptions
      .update((subs) => {
        subs.add(realm.objects<Car>("Car").filtered("make == $0", "Ford"), { name: "by-make" });
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(SyncError);
    await expect(realm.subscriptions.waitForSynchronization()).rejects.toMatchObject({
      code: 226,
    });
    expect((refused as SyncError).code).toBe(226);
    expect((refused as SyncError).message).toMatch(/make/);
    expect(realm.subscriptions.state).toBe(Realm.SubscriptionSetState.Error);
    expect(realm.subscriptions.error).toBe((refused as SyncError).message);
    expect(realm.subscriptions.version).toBe(before + 1);

    // The session goes on under the previous set.
    const carId = new ObjectId();
    realm.write(() => realm.create("Car", { _id: carId, ownerId: user.id, make: "Kia", miles: 3 }));
    await realm.syncSession!.waitForUpload();
    await realm.syncSession!.waitForDownload();
    expect(realm.objectForPrimaryKey("Car", carId)).not.toBeNull();
  });

  it("brings objects in and takes them out as the subscription set changes", async () => {
    const email = `subs-${new ObjectId().toHexString()}@example.com`;
    const writer = await device({ email, subscribe: (realm) => realm.objects<Car>("Car") });
    const reader = await device({ email, subscribe: null });
    const { realm } = writer;
    realm.write(() => {
      realm.create("Car", { _id: new ObjectId(), ownerId: writer.user.id, make: "A", miles: 1 });
      realm.create("Car", { _id: new ObjectId(), ownerId: writer.user.id, make: "B", miles: 500 });
    });
    await realm.syncSession!.waitForUpload();

    expect(reader.realm.objects("Car")).toHaveLength(0);
    // update() resolves once the new set is synchronized: its objects are already here.
    await reader.realm.subscriptions.update((subs) =>
      subs.add(reader.realm.objects<Car>("Car").filtered("miles < 100"), { name: "low" }),
    );
    expect(reader.realm.subscriptions.state).toBe(Realm.SubscriptionSetState.Complete);
    expect(reader.realm.objects<Car>("Car").map((car) => car.make)).toEqual(["A"]);

    await reader.realm.subscriptions.update((subs) => {
      subs.add(reader.realm.objects<Car>("Car").filtered("miles >= 100"), { name: "high" });
    });
    await reader.realm.subscriptions.waitForSynchronization();
    expect(
      reader.realm
        .objects<Car>("Car")
        .map((car) => car.make)
        .sort(),
    ).toEqual(["A", "B"]);

    await reader.realm.subscriptions.update((subs) => subs.removeByName("low"));
    await reader.realm.subscriptions.waitForSynchronization();
    expect(reader.realm.objects<Car>("Car").map((car) => car.make)).toEqual(["B"]);
    expect([...reader.realm.subscriptions].map((sub) => sub.name)).toEqual(["high"]);
  });

  it("keeps the subscriptions in the file across a restart", async () => {
    const opened = await device();
    const { realm } = opened;
    const version = realm.subscriptions.version;
    const query = realm.subscriptions.findByName("cars")?.queryString;
    realm.close();
    const reopened = await opened.reopen();
    expect(reopened.subscriptions.version).toBe(version);
    expect(reopened.subscriptions.state).toBe(Realm.SubscriptionSetState.Complete);
    expect(reopened.subscriptions.findByName("cars")?.queryString).toBe(query);
  });
});

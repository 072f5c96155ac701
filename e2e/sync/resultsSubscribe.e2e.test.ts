/**
 * `Results.subscribe(options)` and `Results.unsubscribe()` against a real server: the default
 * (`WaitForSync.FirstTime`) waits for a new query's data and not for a known one, `Never` does
 * not wait, `Always` always does, a `timeout` ends the wait without an error (the data comes
 * later), a refused query rejects with the server's error, and unsubscribing takes the query's
 * objects out of the realm.
 */
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { Realm, SyncError, WaitForSync } from "@atoll/client";
import { SyncErrorCode } from "@atoll/protocol";
import { CarSchema } from "../support/carModel.js";
import type { Car } from "../support/carModel.js";
import type { Device } from "../support/syncHarness.js";
import { useDevices, useSyncServer } from "../support/syncHarness.js";

describe("Results.subscribe and unsubscribe", () => {
  const server = useSyncServer();
  const device = useDevices(server);

  /** A writer that has uploaded cars with these makes and miles, and a reader of the same user with no subscription. */
  async function writerAndReader(cars: [make: string, miles: number][]): Promise<Device> {
    const email = `results-subscribe-${new ObjectId().toHexString()}@example.com`;
    const writer = await device({ email, subscribe: (realm) => realm.objects<Car>("Car") });
    const { realm, user } = writer;
    realm.write(() => {
      for (const [make, miles] of cars)
        realm.create("Car", { _id: new ObjectId(), ownerId: user.id, make, miles });
    });
    await realm.syncSession!.waitForUpload();
    return device({ email, subscribe: null });
  }

  const makes = (results: Realm.Results<Car>): string[] => results.map((car) => car.make).sort();

  it("waits for a new query's data by default, and not again for a query already subscribed", async () => {
    const { realm } = await writerAndReader([
      ["A", 5],
      ["B", 500],
    ]);
    const high = realm.objects<Car>("Car").filtered("miles >= 100");
    const subscribed = await high.subscribe();
    expect(subscribed).toBe(high);
    expect(makes(high)).toEqual(["B"]);
    expect(realm.subscriptions.state).toBe(Realm.SubscriptionSetState.Complete);
    expect(realm.subscriptions.findByQuery(high)).not.toBeNull();

    // Paused, nothing could be synchronized: these calls resolve because they do not wait.
    realm.syncSession!.pause();
    await realm.objects<Car>("Car").filtered("miles >= 100").subscribe();
    expect(realm.subscriptions.length).toBe(1);
    // As in Realm JS, options without a behavior do not wait, even for a new query.
    const low = await realm.objects<Car>("Car").filtered("miles < 100").subscribe({ name: "low" });
    expect(low).toHaveLength(0);
    expect(realm.subscriptions.findByName("low")).not.toBeNull();
    realm.syncSession!.resume();
    await realm.subscriptions.waitForSynchronization();
    expect(makes(low)).toEqual(["A"]);
  });

  it("does not wait with WaitForSync.Never: the data arrives later", async () => {
    const { realm } = await writerAndReader([["C", 700]]);
    realm.syncSession!.pause();
    const cars = await realm
      .objects<Car>("Car")
      .filtered("miles > 600")
      .subscribe({ behavior: Realm.WaitForSync.Never, name: "far" });
    expect(cars).toHaveLength(0);
    expect(realm.subscriptions.findByName("far")?.queryString).toBe(cars.description());
    expect(realm.subscriptions.state).toBe(Realm.SubscriptionSetState.Pending);
    realm.syncSession!.resume();
    await realm.subscriptions.waitForSynchronization();
    expect(makes(cars)).toEqual(["C"]);
  });

  it("waits every time with WaitForSync.Always, also for a query already subscribed", async () => {
    const { realm } = await writerAndReader([["D", 800]]);
    const cars = realm.objects<Car>("Car").filtered("miles > 600");
    await cars.subscribe({ behavior: WaitForSync.Never });
    realm.syncSession!.pause();
    const version = realm.subscriptions.version;
    let resolved = false;
    const waiting = cars.subscribe({ behavior: WaitForSync.Always }).then(() => {
      resolved = true;
    });
    expect(realm.subscriptions.version).toBe(version + 1);
    // The default behaviour on the same, known query resolves while the session is paused;
    // Always is still waiting for the server then.
    await cars.subscribe();
    expect(resolved).toBe(false);
    realm.syncSession!.resume();
    await waiting;
    expect(realm.subscriptions.state).toBe(Realm.SubscriptionSetState.Complete);
    expect(makes(cars)).toEqual(["D"]);
  });

  it("stops waiting after the timeout without an error; the subscription stays and its data comes later", async () => {
    const { realm } = await writerAndReader([["E", 900]]);
    realm.syncSession!.pause();
    const cars = await realm
      .objects<Car>("Car")
      .filtered("miles > 850")
      .subscribe({ behavior: WaitForSync.Always, timeout: 20 });
    expect(cars).toHaveLength(0);
    expect(realm.subscriptions.findByQuery(cars)).not.toBeNull();
    expect(realm.subscriptions.state).toBe(Realm.SubscriptionSetState.Pending);
    realm.syncSession!.resume();
    await realm.subscriptions.waitForSynchronization();
    expect(makes(cars)).toEqual(["E"]);
  });

  it("rejects with the server's error when it refuses the query", async () => {
    const { realm } = await writerAndReader([]);
    const refused = await realm
      .objects<Car>("Car")
      .filtered("make == $0", "Ford")
      .subscribe()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(SyncError);
    expect((refused as SyncError).code).toBe(SyncErrorCode.BadQuery);
    expect((refused as SyncError).message).toMatch(/make/);
  });

  it("unsubscribes: the subscription goes at once, the query's objects once synchronized", async () => {
    const { realm } = await writerAndReader([
      ["F", 1],
      ["G", 2000],
    ]);
    const low = await realm.objects<Car>("Car").filtered("miles < 100").subscribe();
    const high = await realm.objects<Car>("Car").filtered("miles >= 100").subscribe();
    expect(makes(realm.objects<Car>("Car"))).toEqual(["F", "G"]);
    low.unsubscribe();
    expect(realm.subscriptions.findByQuery(low)).toBeNull();
    expect(realm.subscriptions.findByQuery(high)).not.toBeNull();
    await realm.subscriptions.waitForSynchronization();
    expect(makes(realm.objects<Car>("Car"))).toEqual(["G"]);
  });

  it("refuses on a realm without flexible sync, and a behavior it does not know", async () => {
    const local = new Realm({ inMemory: true, path: "results-subscribe", schema: [CarSchema] });
    try {
      const cars = local.objects<Car>("Car");
      await expect(cars.subscribe()).rejects.toThrow(/flexible sync/);
      expect(() => cars.unsubscribe()).toThrow(/flexible sync/);
    } finally {
      local.close();
    }
    const { realm } = await writerAndReader([]);
    await expect(
      realm
        .objects<Car>("Car")
        .subscribe({ behavior: "sometimes" as unknown as Realm.WaitForSync }),
    ).rejects.toThrow(/first-time/);
    expect(realm.subscriptions.length).toBe(0);
  });
});

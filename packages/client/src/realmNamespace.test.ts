/**
 * `Realm` as a namespace at run time: the app in test-support/realmJsApp.ts (typed only through
 * `Realm.*`) opens a local realm, writes and queries, and the values behind its types are the
 * classes the SDK hands out.
 */
import * as bson from "bson";
import { describe, expect, it } from "vitest";
import DefaultRealm, { Realm, Results, List, Dictionary, Set as RealmSet } from "./index.js";
import type { CollectionChangeSet } from "./index.js";
import {
  Car,
  addCar,
  anonymousCredentials,
  appFor,
  carId,
  carsByMake,
  doorsOf,
  driveTrip,
  findCar,
  openEncryptedGarage,
  openGarage,
  watchCars,
} from "./test-support/realmJsApp.js";
import { flushListeners, useTempDir } from "./test-support/realms.js";

describe("Realm as a namespace", () => {
  const path = useTempDir();

  it("is the same Realm as the default export and the named one", () => {
    expect(DefaultRealm).toBe(Realm);
    expect(Realm.Results).toBe(Results);
    expect(Realm.List).toBe(List);
    expect(Realm.Set).toBe(RealmSet);
    expect(Realm.Dictionary).toBe(Dictionary);
  });

  it("carries the BSON classes and Realm.Types' constructors", () => {
    expect(Realm.BSON.ObjectId).toBe(bson.ObjectId);
    expect(Realm.Types.ObjectId).toBe(bson.ObjectId);
    expect(Realm.Types.UUID).toBe(bson.UUID);
    expect(Realm.Types.Decimal128).toBe(bson.Decimal128);
    expect(Realm.Types.Date).toBe(Date);
    expect(Realm.Types.Data).toBe(ArrayBuffer);
    expect(Realm.Types.List).toBe(Realm.List);
    expect(Realm.Types.Set).toBe(Realm.Set);
    expect(Realm.Types.Dictionary).toBe(Realm.Dictionary);
    expect(Realm.Types.LinkingObjects).toBe(Realm.Results);
    expect(Realm.Types.Counter).toBe(Realm.Counter);
  });

  it("carries the enums with Realm JS's values", () => {
    expect(Realm.UpdateMode.Modified).toBe("modified");
    expect(Realm.ClientResetMode.Manual).toBe("manual");
    expect(Realm.SessionState.Active).toBe("active");
    expect(Realm.ConnectionState.Connected).toBe("connected");
    expect(Realm.ProgressDirection.Download).toBe("download");
    expect(Realm.ProgressMode.ReportIndefinitely).toBe("reportIndefinitely");
    expect(Realm.OpenRealmBehaviorType.OpenImmediately).toBe("openImmediately");
    expect(Realm.WaitForSync.FirstTime).toBe("first-time");
    expect(Realm.flags.THROW_ON_GLOBAL_REALM).toBe(false);
  });

  it("runs an app typed through the namespace: write, query, listen, count", async () => {
    const realm = openGarage(path());
    try {
      const kia = addCar(realm, "Kia", "Niro", 1200);
      addCar(realm, "Kia", "Ceed", 300);
      addCar(realm, "Fiat", "Panda", 90);

      expect(kia).toBeInstanceOf(Realm.Object);
      expect(kia).toBeInstanceOf(Car);
      expect(kia._id).toBeInstanceOf(Realm.BSON.ObjectId);
      expect(kia.vin).toBeInstanceOf(Realm.Types.UUID);
      expect(kia.price?.toString()).toBe("19999.99");
      expect(kia.registeredAt).toEqual(new Date(0));
      expect(kia.tags).toBeInstanceOf(Realm.Types.List);
      expect(kia.features).toBeInstanceOf(Realm.Set);
      expect(kia.specs).toBeInstanceOf(Realm.Dictionary);
      expect(doorsOf(kia)).toBe(4);
      expect(kia.trips).toBeInstanceOf(Realm.Types.Counter);
      expect(kia.extra).toBe("red");
      expect(kia.manufacturer?.cars).toBeInstanceOf(Realm.Results);
      expect(kia.manufacturer?.cars.map((car) => car.model).sort()).toEqual(["Ceed", "Niro"]);

      const kias = carsByMake(realm, "Kia");
      expect(kias).toBeInstanceOf(Realm.Results);
      expect(kias.map((car) => car.model)).toEqual(["Ceed", "Niro"]);
      expect(findCar(realm, carId(kia))?.model).toBe("Niro");

      const heard: CollectionChangeSet[] = [];
      const stop = watchCars(kias, heard);
      await flushListeners();
      realm.write(() => {
        kia.miles = 100;
      });
      await flushListeners();
      stop();
      expect(heard).toEqual([
        { insertions: [], deletions: [], newModifications: [], oldModifications: [] },
        { insertions: [0], deletions: [1], newModifications: [], oldModifications: [] },
      ]);

      expect(driveTrip(realm, kia)).toBe(1);
    } finally {
      realm.close();
    }
  });

  it("opens an encrypted realm through Realm.open's ProgressRealmPromise", async () => {
    const file = path();
    const key = new ArrayBuffer(64);
    new Uint8Array(key).fill(7);
    const heard: number[] = [];
    const opening = openEncryptedGarage(file, key, heard);
    expect(opening).toBeInstanceOf(Realm.ProgressRealmPromise);
    const realm = await opening;
    expect(
      realm.objects("Manufacturer").map((m) => (m as unknown as { name: string }).name),
    ).toEqual(["Unknown"]);
    // A local realm downloads nothing: no progress to report.
    expect(heard).toEqual([]);
    realm.close();
    expect(() => openGarage(file)).toThrow(Realm.RealmError);
    expect(new Realm.TimeoutError("late")).toBeInstanceOf(Error);
  });

  it("builds App, Credentials as values of the namespace", () => {
    const app = appFor("namespace-app", "http://127.0.0.1:1");
    expect(app).toBeInstanceOf(Realm.App);
    expect(app.currentUser).toBeNull();
    expect(anonymousCredentials()).toBeInstanceOf(Realm.Credentials);
    expect(anonymousCredentials().providerType).toBe(Realm.ProviderType.AnonUser);
  });
});

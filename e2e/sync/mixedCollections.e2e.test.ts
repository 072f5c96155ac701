/**
 * Lists and dictionaries inside a mixed property of synced objects, end to end: two devices
 * of one user (one of them offline for a while) edit the same nested collections and converge,
 * a replacement of a nested collection wins over edits made inside the old one, the server
 * stores plain nested arrays and documents, and a data-API write of such a value reaches the
 * devices.
 */
import { decodeChangeset, subprotocolFor, type Instruction } from "@atoll/protocol";
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import {
  SyncTestClient,
  logIn,
  syncUrl,
} from "../../packages/server/src/sync/test-support/SyncTestClient.js";
import { PASSWORD, extrasOf, settle, useMixedCars, type Car } from "../support/mixedCars.js";
import { whenRealm } from "../support/syncHarness.js";

describe("lists and dictionaries in a synced mixed property", () => {
  const { server, device } = useMixedCars();

  it("two devices, one offline, edit the same nested collections and converge", async () => {
    const email = `mixed-${new ObjectId().toHexString()}@example.com`;
    const phone = await device(email);
    const tablet = await device(email);
    const id = new ObjectId();
    phone.realm.write(() =>
      phone.realm.create("Car", {
        _id: id,
        ownerId: phone.user.id,
        make: "Saab",
        extras: { tags: ["a"], meta: { n: 1 } },
      }),
    );
    await settle(phone.realm, tablet.realm);
    expect(extrasOf(tablet.realm, id)).toEqual({ tags: ["a"], meta: { n: 1 } });

    // The tablet goes offline and edits inside both nested collections; the phone does too.
    tablet.realm.syncSession!.pause();
    const onTablet = tablet.realm.objectForPrimaryKey<Car>("Car", id)!;
    tablet.realm.write(() => {
      onTablet.extras.tags.push("t");
      onTablet.extras.meta.k = "tablet";
    });
    const onPhone = phone.realm.objectForPrimaryKey<Car>("Car", id)!;
    const changed: string[][] = [];
    onPhone.addListener((_car, change) => {
      if (change.changedProperties.length > 0) changed.push(change.changedProperties);
    });
    phone.realm.write(() => {
      onPhone.extras.tags.unshift("p");
      onPhone.extras.meta.n = 2;
    });
    await phone.realm.syncSession!.waitForUpload();
    tablet.realm.syncSession!.resume();
    await settle(tablet.realm, phone.realm);

    const merged = { tags: ["p", "a", "t"], meta: { n: 2, k: "tablet" } };
    expect(extrasOf(phone.realm, id)).toEqual(merged);
    expect(extrasOf(tablet.realm, id)).toEqual(merged);
    // The phone's listener heard of the tablet's change inside the mixed property.
    await whenRealm(phone.realm, () => (changed.length >= 2 ? true : undefined));
    expect(changed.at(-1)).toEqual(["extras"]);

    // The server holds plain nested arrays and documents, as the data API reads them.
    const cars = phone.user.mongoClient("mongodb-atlas").db("cars-db").collection("Car");
    expect((await cars.findOne({ _id: id }))?.extras).toEqual(merged);
    expect([phone.errors, tablet.errors]).toEqual([[], []]);
  });

  it("a replacement of a nested collection wins over later edits inside the old one", async () => {
    const email = `mixed-${new ObjectId().toHexString()}@example.com`;
    const phone = await device(email);
    const tablet = await device(email);
    const id = new ObjectId();
    phone.realm.write(() =>
      phone.realm.create("Car", {
        _id: id,
        ownerId: phone.user.id,
        make: "Volvo",
        extras: { meta: { n: 1 }, keep: true },
      }),
    );
    await settle(phone.realm, tablet.realm);

    tablet.realm.syncSession!.pause();
    const onPhone = phone.realm.objectForPrimaryKey<Car>("Car", id)!;
    phone.realm.write(() => (onPhone.extras.meta = ["replaced"]));
    await phone.realm.syncSession!.waitForUpload();
    const onTablet = tablet.realm.objectForPrimaryKey<Car>("Car", id)!;
    tablet.realm.write(() => {
      onTablet.extras.meta.n = 99;
      onTablet.extras.note = "from the tablet";
    });
    tablet.realm.syncSession!.resume();
    await settle(tablet.realm, phone.realm);

    const merged = { meta: ["replaced"], keep: true, note: "from the tablet" };
    expect(extrasOf(tablet.realm, id)).toEqual(merged);
    expect(extrasOf(phone.realm, id)).toEqual(merged);
    expect([phone.errors, tablet.errors]).toEqual([[], []]);
  });

  it("a data-API write of nested lists and dictionaries reaches the device", async () => {
    const phone = await device(`mixed-${new ObjectId().toHexString()}@example.com`);
    const id = new ObjectId();
    phone.realm.write(() =>
      phone.realm.create("Car", { _id: id, ownerId: phone.user.id, make: "Fiat", extras: 1 }),
    );
    await phone.realm.syncSession!.waitForUpload();
    const cars = phone.user.mongoClient("mongodb-atlas").db("cars-db").collection("Car");
    const extras = { tags: ["a", { k: 1 }], deep: { list: [[true], []] } };
    await cars.updateOne({ _id: id }, { $set: { extras } });
    const arrived = await whenRealm(phone.realm, () => {
      const value = extrasOf(phone.realm, id);
      return typeof value === "object" ? value : undefined;
    });
    expect(arrived).toEqual(extras);
    const car = phone.realm.objectForPrimaryKey<Car>("Car", id)!;
    expect(car.extras.tags[1].k).toBe(1);
    expect(phone.errors).toEqual([]);
  });

  it("a client on atoll-sync 2 receives null for a nested collection and nothing inside it", async () => {
    const email = `mixed-${new ObjectId().toHexString()}@example.com`;
    const phone = await device(email);
    const id = new ObjectId();
    phone.realm.write(() =>
      phone.realm.create("Car", {
        _id: id,
        ownerId: phone.user.id,
        make: "Lada",
        extras: { tags: ["a"] },
      }),
    );
    await phone.realm.syncSession!.waitForUpload();
    const { url, appId } = server();
    const login = await logIn(url, appId, { email, password: PASSWORD });
    const old = await SyncTestClient.connect(syncUrl(url, appId), login.accessToken, [
      subprotocolFor(2),
    ]);
    try {
      await old.bind();
      const bootstrap = (await old.subscribe(1, { Car: "_id != null" }))
        .flatMap((download) => download.changesets)
        .flatMap((changeset) => decodeChangeset(changeset.changeset));
      const extras = bootstrap.filter(
        (i): i is Instruction & { path: readonly (string | number)[] } =>
          "path" in i && i.path[0] === "extras",
      );
      expect(extras).toEqual([
        { type: "Update", table: "Car", pk: id, path: ["extras"], value: null },
      ]);
    } finally {
      await old.close();
    }
  });
});

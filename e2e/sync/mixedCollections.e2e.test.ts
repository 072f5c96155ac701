/**
 * Lists and dictionaries inside a mixed property of synced objects, end to end: two devices
 * of one user (one of them offline for a while) edit the same nested collections and converge,
 * a replacement of a nested collection wins over edits made inside the old one, the server
 * stores plain nested arrays and documents, and a data-API write of such a value reaches the
 * devices.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeChangeset, subprotocolFor, type Instruction } from "@atoll/protocol";
import { ObjectId } from "bson";
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { App, Credentials, Realm } from "@atoll/client";
import type { ObjectSchema, Object as RealmObject, SyncError } from "@atoll/client";
import { fuzzParameters } from "../../packages/protocol/src/test-support/fuzzParameters.js";
import { CARS_APP_DIR, useAppServer } from "../../packages/client/src/test-support/appServer.js";
import {
  SyncTestClient,
  logIn,
  syncUrl,
} from "../../packages/server/src/sync/test-support/SyncTestClient.js";
import { whenRealm } from "../support/syncHarness.js";

const CarSchema: ObjectSchema = {
  name: "Car",
  primaryKey: "_id",
  properties: { _id: "objectId", ownerId: "string", make: "string", extras: "mixed" },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- nested mixed values are untyped
type Car = RealmObject & { _id: ObjectId; ownerId: string; make: string; extras: any };

/** The cars app with a mixed `extras` property on Car. */
function carsAppWithExtras(): string {
  const dir = mkdtempSync(join(tmpdir(), "atoll-e2e-mixed-"));
  cpSync(CARS_APP_DIR, dir, { recursive: true });
  const file = join(dir, "data_sources", "mongodb-atlas", "cars-db", "Car", "schema.json");
  const schema = JSON.parse(readFileSync(file, "utf8")) as { properties: object };
  schema.properties = { ...schema.properties, extras: { bsonType: "mixed" } };
  writeFileSync(file, JSON.stringify(schema, null, 2));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("lists and dictionaries in a synced mixed property", () => {
  const server = useAppServer({ appDir: carsAppWithExtras() });
  const root = mkdtempSync(join(tmpdir(), "atoll-e2e-mixed-devices-"));
  const open: Realm[] = [];
  let counter = 0;
  afterEach(() => {
    for (const realm of open.splice(0)) realm.close();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function device(email: string) {
    const { url, appId } = server();
    const app = new App({ id: appId, baseUrl: url, baseFilePath: join(root, `d${++counter}`) });
    const credentials = { email, password: "correct horse battery" };
    try {
      await app.emailPasswordAuth.registerUser(credentials);
    } catch (error) {
      if ((error as { errorCode?: string }).errorCode !== "AccountNameInUse") throw error;
    }
    const user = await app.logIn(Credentials.emailPassword(email, credentials.password));
    const errors: SyncError[] = [];
    const realm = await Realm.open({
      schema: [CarSchema],
      sync: {
        user,
        flexible: true,
        onError: (_session, error) => void errors.push(error),
        initialSubscriptions: { update: (subs, r) => void subs.add(r.objects("Car")) },
      },
    });
    open.push(realm);
    return { user, realm, errors };
  }

  async function settle(...realms: Realm[]): Promise<void> {
    for (const realm of realms) await realm.syncSession!.waitForUpload();
    for (const realm of realms) await realm.syncSession!.waitForDownload();
  }

  const extrasOf = (realm: Realm, id: ObjectId): unknown =>
    (realm.objectForPrimaryKey<Car>("Car", id)?.toJSON() as { extras?: unknown } | undefined)
      ?.extras;

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
    const login = await logIn(url, appId, { email, password: "correct horse battery" });
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

  it("devices going offline and back converge on any mix of nested edits (generated)", async () => {
    const email = `mixed-${new ObjectId().toHexString()}@example.com`;
    const devices = [await device(email), await device(email), await device(email)];
    const realms = devices.map((d) => d.realm);
    const cars = devices[0]!.user.mongoClient("mongodb-atlas").db("cars-db").collection("Car");
    const step = fc.record({
      device: fc.nat(2),
      kind: fc.nat(7),
      at: fc.nat(3),
      word: fc.constantFrom("x", "y", "z"),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const id = new ObjectId();
        realms[0]!.write(() =>
          realms[0]!.create("Car", {
            _id: id,
            ownerId: devices[0]!.user.id,
            make: "Saab",
            extras: { l: ["a"], d: { k: 1 } },
          }),
        );
        await settle(...realms);
        for (const { device: which, kind, at, word } of steps) {
          const realm = realms[which]!;
          if (kind === 7) {
            const session = realm.syncSession!;
            if (session.state === "active") session.pause();
            else session.resume();
            continue;
          }
          realm.write(() => editNested(realm.objectForPrimaryKey<Car>("Car", id)!, kind, at, word));
        }
        for (const realm of realms) realm.syncSession!.resume();
        await settle(...realms);
        const stored = (await cars.findOne({ _id: id }))?.extras;
        for (const realm of realms) expect(extrasOf(realm, id)).toEqual(stored);
      }),
      fuzzParameters(6),
    );
    expect(devices.flatMap((d) => d.errors)).toEqual([]);
  });
});

/** One edit of a car's `extras`, when it has the shape the edit needs. */
function editNested(car: Car, kind: number, at: number, word: string): void {
  const extras: unknown = car.extras;
  const dictionary =
    extras instanceof Object && !Array.isArray(extras) && "l" in extras ? car.extras : undefined;
  const list = dictionary?.l instanceof Object && "push" in dictionary.l ? dictionary.l : undefined;
  switch (kind) {
    case 0:
      car.extras = { l: [word], d: { k: at } };
      return;
    case 1:
      list?.splice(at % (list.length + 1), 0, at % 2 === 0 ? word : [word]);
      return;
    case 2:
      if (list && list.length > 0) list.splice(at % list.length, 1);
      return;
    case 3:
      if (dictionary?.d instanceof Object) dictionary.d[word] = at;
      return;
    case 4:
      if (dictionary) dictionary.l = [word, { deep: at }];
      return;
    case 5:
      if (list && list.length > 0 && list[0] instanceof Object && "push" in list[0])
        list[0].push(word);
      return;
    default:
      car.extras = word;
  }
}

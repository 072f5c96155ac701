/**
 * `writeCopyTo` on a synced realm, against a real server: a local copy can be written at any
 * time and holds the objects without sync state; a bundled synced copy only once every change
 * is uploaded, and then another device starts from it, takes a new identity and syncs both ways.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ObjectId } from "bson";
import { afterAll, describe, expect, it } from "vitest";
import { App, Credentials, Realm } from "@atoll/client";
import type { Configuration, SyncError, User } from "@atoll/client";
import { CarSchema, SensorReadingSchema } from "../support/carModel.js";
import type { Car } from "../support/carModel.js";
import { useSyncServer } from "../support/syncHarness.js";

describe("writeCopyTo of a synced realm", () => {
  const server = useSyncServer();
  const root = mkdtempSync(join(tmpdir(), "atoll-e2e-copy-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const schema = [CarSchema, SensorReadingSchema];

  function syncConfig(user: User, errors: SyncError[], path?: string): Configuration {
    return {
      schema,
      ...(path ? { path } : {}),
      sync: {
        user,
        flexible: true,
        onError: (_session, error) => void errors.push(error),
        initialSubscriptions: { update: (subs, realm) => void subs.add(realm.objects<Car>("Car")) },
      },
    };
  }

  it("writes a local copy at any time, and a bundled copy once everything is uploaded", async () => {
    const { url, appId } = server();
    const email = `copy-${new ObjectId().toHexString()}@example.com`;
    const password = "bundled and shipped";
    const logIn = async (device: string): Promise<User> => {
      const app = new App({ id: appId, baseUrl: url, baseFilePath: join(root, device) });
      await app.emailPasswordAuth.registerUser({ email, password }).catch(() => undefined);
      return app.logIn(Credentials.emailPassword(email, password));
    };
    const user = await logIn("phone");
    const phoneErrors: SyncError[] = [];
    const phone = await Realm.open(syncConfig(user, phoneErrors));
    phone.write(() =>
      phone.create("Car", { _id: new ObjectId(), ownerId: user.id, make: "Uploaded" }),
    );
    await phone.syncSession!.waitForUpload();

    phone.syncSession!.pause();
    phone.write(() =>
      phone.create("Car", { _id: new ObjectId(), ownerId: user.id, make: "Pending" }),
    );
    const bundle = join(root, "bundle.realm");
    expect(() => phone.writeCopyTo({ path: bundle, sync: { user, flexible: true } })).toThrow(
      "All client changes must be integrated in server before writing copy",
    );
    const localCopy = join(root, "local-copy.realm");
    phone.writeCopyTo({ path: localCopy });
    const local = new Realm({ path: localCopy, schema });
    expect(
      local
        .objects<Car>("Car")
        .map((car) => car.make)
        .sort(),
    ).toEqual(["Pending", "Uploaded"]);
    expect(local.syncSession).toBeNull();
    local.close();

    phone.syncSession!.resume();
    await phone.syncSession!.waitForUpload();
    phone.writeCopyTo({ path: bundle, sync: { user, flexible: true } });

    // A second device starts from the bundle: its data is there before any download.
    const tabletUser = await logIn("tablet");
    const tabletErrors: SyncError[] = [];
    const tablet = new Realm(syncConfig(tabletUser, tabletErrors, bundle));
    expect(
      tablet
        .objects<Car>("Car")
        .map((car) => car.make)
        .sort(),
    ).toEqual(["Pending", "Uploaded"]);
    const fromTablet = new ObjectId();
    tablet.write(() =>
      tablet.create("Car", { _id: fromTablet, ownerId: tabletUser.id, make: "From tablet" }),
    );
    await tablet.syncSession!.waitForUpload();
    await phone.syncSession!.waitForDownload();
    expect(phone.objectForPrimaryKey<Car>("Car", fromTablet)?.make).toBe("From tablet");

    const fromPhone = new ObjectId();
    phone.write(() =>
      phone.create("Car", { _id: fromPhone, ownerId: user.id, make: "From phone" }),
    );
    await phone.syncSession!.waitForUpload();
    await tablet.syncSession!.waitForDownload();
    expect(tablet.objectForPrimaryKey<Car>("Car", fromPhone)?.make).toBe("From phone");
    // Each file has its own identity: nothing was refused or uploaded twice.
    expect(tablet.objects<Car>("Car")).toHaveLength(4);
    expect([...phoneErrors, ...tabletErrors]).toEqual([]);
    tablet.close();
    phone.close();
  });
});

/**
 * An encrypted synced realm against a real server: the data and the sync metadata kept in the
 * file (the user's id, the file's identity, the subscriptions) are not readable on disk, the
 * key opens it again and sync goes on, and a wrong key cannot open it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ObjectId } from "bson";
import { afterAll, describe, expect, it } from "vitest";
import { App, ClientErrorCode, Credentials, Realm } from "@atoll/client";
import type { Configuration, User } from "@atoll/client";
import { CarSchema, SensorReadingSchema } from "../support/carModel.js";
import type { Car } from "../support/carModel.js";
import { useSyncServer } from "../support/syncHarness.js";

describe("an encrypted synced realm", () => {
  const server = useSyncServer();
  const root = mkdtempSync(join(tmpdir(), "atoll-e2e-encrypted-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function config(user: User, encryptionKey: Uint8Array): Configuration {
    return {
      schema: [CarSchema, SensorReadingSchema],
      encryptionKey,
      sync: {
        user,
        flexible: true,
        initialSubscriptions: {
          update: (subs, realm) => void subs.add(realm.objects<Car>("Car"), { name: "all-cars" }),
        },
      },
    };
  }

  it("keeps data and sync metadata unreadable on disk, and syncs again after reopening with the key", async () => {
    const { url, appId } = server();
    const email = `encrypted-${new ObjectId().toHexString()}@example.com`;
    const password = "correct horse battery";
    const logIn = async (device: string): Promise<User> => {
      const app = new App({ id: appId, baseUrl: url, baseFilePath: join(root, device) });
      return app.logIn(Credentials.emailPassword(email, password));
    };
    await new App({
      id: appId,
      baseUrl: url,
      baseFilePath: join(root, "register"),
    }).emailPasswordAuth.registerUser({ email, password });
    const user = await logIn("device");
    const key = randomBytes(64);
    const make = `Encrypted-${new ObjectId().toHexString()}`;

    const realm = await Realm.open(config(user, key));
    realm.write(() => realm.create("Car", { _id: new ObjectId(), ownerId: user.id, make }));
    await realm.syncSession!.waitForUpload();
    const path = realm.path;
    realm.close();

    const onDisk = Buffer.concat(
      [path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file)),
    );
    for (const secret of [make, user.id, "all-cars", "TRUEPREDICATE"])
      expect(onDisk.includes(secret)).toBe(false);

    const wrong = await Realm.open(config(user, randomBytes(64))).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(wrong).toMatchObject({ code: ClientErrorCode.DecryptionFailed });

    // The same user writes from another device (with its own key); the reopened realm downloads it.
    const otherUser = await logIn("other");
    const writer = await Realm.open(config(otherUser, randomBytes(64)));
    const otherMake = `Other-${new ObjectId().toHexString()}`;
    writer.write(() =>
      writer.create("Car", { _id: new ObjectId(), ownerId: otherUser.id, make: otherMake }),
    );
    await writer.syncSession!.waitForUpload();
    writer.close();

    const reopened = await Realm.open(config(user, key));
    expect(
      reopened
        .objects<Car>("Car")
        .map((car) => car.make)
        .sort(),
    ).toEqual([make, otherMake].sort());
    reopened.close();
  });
});

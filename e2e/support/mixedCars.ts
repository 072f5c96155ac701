/**
 * What the end-to-end tests of lists and dictionaries in a synced mixed property share: the
 * cars app with a mixed `extras` on Car, devices of one user (email/password) subscribed to
 * every car, a wait until devices have exchanged everything, and a car's `extras` as plain data.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectId } from "bson";
import { afterAll, afterEach } from "vitest";
import { App, Credentials, Realm } from "@atoll/client";
import type { ObjectSchema, Object as RealmObject, SyncError, User } from "@atoll/client";
import { CARS_APP_DIR, useAppServer } from "../../packages/client/src/test-support/appServer.js";
import type { TestAppServer } from "../../packages/client/src/test-support/appServer.js";

export const PASSWORD = "correct horse battery";

const CarSchema: ObjectSchema = {
  name: "Car",
  primaryKey: "_id",
  properties: { _id: "objectId", ownerId: "string", make: "string", extras: "mixed" },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- nested mixed values are untyped
export type Car = RealmObject & { _id: ObjectId; ownerId: string; make: string; extras: any };

export interface MixedDevice {
  readonly user: User;
  readonly realm: Realm;
  readonly errors: SyncError[];
}

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

/** A server on that app for the test file, and devices (closed after each test). */
export function useMixedCars(): {
  readonly server: () => TestAppServer;
  readonly device: (email: string) => Promise<MixedDevice>;
} {
  const server = useAppServer({ appDir: carsAppWithExtras() });
  const root = mkdtempSync(join(tmpdir(), "atoll-e2e-mixed-devices-"));
  const open: Realm[] = [];
  let counter = 0;
  afterEach(() => {
    for (const realm of open.splice(0)) realm.close();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function device(email: string): Promise<MixedDevice> {
    const { url, appId } = server();
    const app = new App({ id: appId, baseUrl: url, baseFilePath: join(root, `d${++counter}`) });
    try {
      await app.emailPasswordAuth.registerUser({ email, password: PASSWORD });
    } catch (error) {
      if ((error as { errorCode?: string }).errorCode !== "AccountNameInUse") throw error;
    }
    const user = await app.logIn(Credentials.emailPassword(email, PASSWORD));
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
  return { server, device };
}

/** Resolves once every realm's uploads are acknowledged and then every realm has downloaded all. */
export async function settle(...realms: Realm[]): Promise<void> {
  for (const realm of realms) await realm.syncSession!.waitForUpload();
  for (const realm of realms) await realm.syncSession!.waitForDownload();
}

/** The car's `extras` as plain data (undefined without the car). */
export function extrasOf(realm: Realm, id: ObjectId): unknown {
  return (realm.objectForPrimaryKey<Car>("Car", id)?.toJSON() as { extras?: unknown } | undefined)
    ?.extras;
}

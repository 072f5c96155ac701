/**
 * What the sync end-to-end tests share: a real server on the seeds' cars app (plus a function
 * that inserts a car, for writes from elsewhere), devices (an App with its own files, a
 * logged-in user, an open synced realm with the cars model, and the errors its session
 * reported), a capture of the sync client's log, and a wait for a realm to reach a state.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach } from "vitest";
import { App, Credentials, Realm } from "@atoll/client";
import type { Configuration, Object as RealmObject, Results, SyncError, User } from "@atoll/client";
import { CARS_APP_DIR, useAppServer } from "../../packages/client/src/test-support/appServer.js";
import type { TestAppServer } from "../../packages/client/src/test-support/appServer.js";
import type { Car } from "./carModel.js";
import { CarSchema, SensorReadingSchema, seedSubscription } from "./carModel.js";

const INSERT_CAR_FUNCTION = `exports = async function insertCar(car) {
  return context.services.get("mongodb-atlas").db("cars-db").collection("Car")
    .insertOne({ ...car, ownerId: context.user.id });
};
`;

/** The cars app with one more function, `insertCar`, that inserts a car owned by the caller. */
export function carsAppWithInsertFunction(): string {
  const dir = mkdtempSync(join(tmpdir(), "atoll-e2e-app-"));
  cpSync(CARS_APP_DIR, dir, { recursive: true });
  writeFileSync(join(dir, "functions", "insertCar.js"), INSERT_CAR_FUNCTION);
  const configFile = join(dir, "functions", "config.json");
  const functions = JSON.parse(readFileSync(configFile, "utf8")) as object[];
  functions.push({ name: "insertCar", private: false, run_as_system: false });
  writeFileSync(configFile, JSON.stringify(functions, null, 2));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A server on the cars app for the test file. */
export function useSyncServer(): () => TestAppServer {
  return useAppServer({ appDir: carsAppWithInsertFunction() });
}

export interface Device {
  readonly app: App;
  readonly user: User;
  readonly realm: Realm;
  /** What the session reported to onError, in order. */
  readonly errors: SyncError[];
  /** Opens the same file again (after `realm.close()`), with the same configuration. */
  reopen(): Promise<Realm>;
}

export interface DeviceOptions {
  /** Log in with these email/password credentials (registered first if new); default anonymous. */
  readonly email?: string;
  /** The initial subscription: the seeds' (cars with miles < 100 or null) unless given; null for none. */
  readonly subscribe?: ((realm: Realm) => Results<Car & RealmObject>) | null;
  readonly baseFilePath?: string;
  /** Called after each error the session reports (once it is in `errors`). */
  readonly onError?: (error: SyncError) => void;
}

const PASSWORD = "correct horse battery";

/** Devices for a test: each on its own App instance and files; closed after each test. */
export function useDevices(server: () => Pick<TestAppServer, "url" | "appId">) {
  const root = mkdtempSync(join(tmpdir(), "atoll-e2e-devices-"));
  const open: Realm[] = [];
  let counter = 0;
  afterEach(() => {
    for (const realm of open.splice(0)) realm.close();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function logIn(app: App, email: string | undefined): Promise<User> {
    if (email === undefined) return app.logIn(Credentials.anonymous(false));
    try {
      await app.emailPasswordAuth.registerUser({ email, password: PASSWORD });
    } catch (error) {
      if ((error as { errorCode?: string }).errorCode !== "AccountNameInUse") throw error;
    }
    return app.logIn(Credentials.emailPassword(email, PASSWORD));
  }

  return async function device(options: DeviceOptions = {}): Promise<Device> {
    const { url, appId } = server();
    const baseFilePath = options.baseFilePath ?? join(root, `device-${++counter}`);
    const app = new App({ id: appId, baseUrl: url, baseFilePath });
    const user = await logIn(app, options.email);
    const errors: SyncError[] = [];
    const subscribe = options.subscribe === undefined ? seedSubscription : options.subscribe;
    const config: Configuration = {
      schema: [CarSchema, SensorReadingSchema],
      sync: {
        user,
        flexible: true,
        onError: (_session, error) => {
          errors.push(error);
          options.onError?.(error);
        },
        ...(subscribe
          ? {
              initialSubscriptions: {
                update: (subs, realm) => void subs.add(subscribe(realm), { name: "cars" }),
              },
            }
          : {}),
      },
    };
    const openRealm = async (): Promise<Realm> => {
      const realm = await Realm.open(config);
      open.push(realm);
      return realm;
    };
    const realm = await openRealm();
    return { app, user, realm, errors, reopen: openRealm };
  };
}

/** Collects the sync client's log lines at `level` and above while a test runs. */
export function useSyncLog(): { readonly lines: string[] } {
  const captured = { lines: [] as string[] };
  afterEach(() => {
    captured.lines.length = 0;
  });
  Realm.setLogLevel("info");
  Realm.setLogger((_level, message) => captured.lines.push(message));
  return captured;
}

/** Resolves with the first value `probe` returns that is not undefined, checked after each change of `realm`. */
export function whenRealm<T>(realm: Realm, probe: () => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const first = probe();
    if (first !== undefined) return resolve(first);
    const listener = (): void => {
      const value = probe();
      if (value === undefined) return;
      realm.removeListener("change", listener);
      resolve(value);
    };
    realm.addListener("change", listener);
  });
}

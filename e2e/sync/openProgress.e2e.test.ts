/**
 * `Realm.open` on a synced realm returns a ProgressRealmPromise, as in Realm JS v12: it reports
 * the download's progress, `cancel()` rejects it with `Async open canceled` and closes what was
 * opened, and without a configured behaviour it gives up after Realm JS's 30 seconds when the
 * server cannot be reached (a port nobody listens on).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ObjectId } from "bson";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { App, Credentials, ProgressRealmPromise, Realm, TimeoutError } from "@atoll/client";
import type { Configuration, OpenRealmBehaviorConfiguration, User } from "@atoll/client";
import { CARS_APP_DIR, startAppServer } from "../../packages/client/src/test-support/appServer.js";
import type { Car } from "../support/carModel.js";
import { CarSchema, SensorReadingSchema } from "../support/carModel.js";
import { useSyncServer } from "../support/syncHarness.js";

const root = mkdtempSync(join(tmpdir(), "atoll-e2e-open-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let devices = 0;

function config(user: User, behavior?: OpenRealmBehaviorConfiguration): Configuration {
  return {
    schema: [CarSchema, SensorReadingSchema],
    sync: {
      user,
      flexible: true,
      initialSubscriptions: { update: (subs, realm) => void subs.add(realm.objects<Car>("Car")) },
      ...(behavior ? { newRealmFileBehavior: behavior, existingRealmFileBehavior: behavior } : {}),
    },
  };
}

async function rejection(promise: PromiseLike<unknown>): Promise<Error> {
  return Promise.resolve(promise).then(
    () => {
      throw new Error("expected the open to fail");
    },
    (error: Error) => error,
  );
}

describe("Realm.open with a server", () => {
  const server = useSyncServer();

  async function userWithCars(count: number): Promise<{ email: string; user: User }> {
    const { url, appId } = server();
    const email = `open-progress-${new ObjectId().toHexString()}@example.com`;
    const password = "progress bar";
    const logIn = async (): Promise<User> => {
      const app = new App({ id: appId, baseUrl: url, baseFilePath: join(root, `d${++devices}`) });
      await app.emailPasswordAuth.registerUser({ email, password }).catch(() => undefined);
      return app.logIn(Credentials.emailPassword(email, password));
    };
    const writerUser = await logIn();
    const writer = await Realm.open(config(writerUser));
    writer.write(() => {
      for (let i = 0; i < count; i++)
        writer.create("Car", { _id: new ObjectId(), ownerId: writerUser.id, make: `Make ${i}` });
    });
    await writer.syncSession!.waitForUpload();
    writer.close();
    return { email, user: await logIn() };
  }

  it("reports the download's progress, as byte counts or as an estimate", async () => {
    const { user } = await userWithCars(20);
    const counts: [number, number][] = [];
    const estimates: number[] = [];
    const opening = Realm.open(config(user));
    expect(opening).toBeInstanceOf(ProgressRealmPromise);
    expect(Object.prototype.toString.call(opening)).toBe("[object ProgressRealmPromise]");
    expect(
      opening.progress((transferred, transferable) => counts.push([transferred, transferable])),
    ).toBe(opening);
    opening.progress((estimate: number) => estimates.push(estimate));
    const realm = await opening;
    expect(realm.objects("Car")).toHaveLength(20);
    realm.close();

    const [transferred, transferable] = counts.at(-1)!;
    expect(transferred).toBeGreaterThan(0);
    expect(transferred).toBe(transferable);
    expect(estimates.at(-1)).toBe(1);
    // Reported once something is known to download, rising to 1.
    expect(counts.every(([, total]) => total > 0)).toBe(true);
    expect(estimates.every((estimate) => estimate > 0 && estimate <= 1)).toBe(true);
    expect([...estimates].sort((a, b) => a - b)).toEqual(estimates);
  });

  it("cancel() rejects with Realm's error, stops the reports and closes the file", async () => {
    const { user } = await userWithCars(3);
    const reports: number[] = [];
    const opening = Realm.open(config(user));
    opening.progress((estimate: number) => reports.push(estimate));
    opening.cancel();
    const error = await rejection(opening);
    expect(error.message).toBe("Async open canceled");
    expect(reports).toEqual([]);
    // Nothing holds the file: it can be deleted, and opened afresh.
    Realm.deleteFile(config(user));
    const realm = await Realm.open(config(user));
    expect(realm.objects("Car")).toHaveLength(3);
    // Cancelling once the realm is handed out changes nothing.
    const again = Realm.open(config(user));
    const reopened = await again;
    again.cancel();
    expect(reopened.isClosed).toBe(false);
    reopened.close();
    realm.close();
  });
});

describe("Realm.open when the server cannot be reached", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A user whose server has stopped: its port is one nobody listens on. */
  async function userOfStoppedServer(): Promise<User> {
    const server = await startAppServer({ appDir: CARS_APP_DIR });
    const app = new App({
      id: server.appId,
      baseUrl: server.url,
      baseFilePath: join(root, `d${++devices}`),
    });
    const user = await app.logIn(Credentials.anonymous(false));
    await server.stop();
    return user;
  }

  it("gives up after 30 seconds by default, with Realm's TimeoutError, and closes the file", async () => {
    const user = await userOfStoppedServer();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const opening = Realm.open(config(user));
    const failed = rejection(opening);
    await vi.advanceTimersByTimeAsync(30_000);
    const error = await failed;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe("Realm could not be downloaded in the allocated time: 30000 ms.");
    Realm.deleteFile(config(user));
  });

  it("waits without a limit when downloadBeforeOpen names no timeOut, until cancelled", async () => {
    const user = await userOfStoppedServer();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const opening = Realm.open(
      config(user, { type: Realm.OpenRealmBehaviorType.DownloadBeforeOpen }),
    );
    let settled = false;
    const outcome = rejection(opening).finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(settled).toBe(false);
    opening.cancel();
    expect((await outcome).message).toBe("Async open canceled");
    Realm.deleteFile(config(user));
  });

  it("opens the local realm at its timeOut with openLocalRealm", async () => {
    const user = await userOfStoppedServer();
    const realm = await Realm.open(
      config(user, {
        type: Realm.OpenRealmBehaviorType.DownloadBeforeOpen,
        timeOut: 10,
        timeOutBehavior: Realm.OpenRealmTimeOutBehavior.OpenLocalRealm,
      }),
    );
    realm.write(() =>
      realm.create("Car", { _id: new ObjectId(), ownerId: user.id, make: "Offline" }),
    );
    expect(realm.objects("Car")).toHaveLength(1);
    realm.close();
  });

  it("refuses an unknown timeOutBehavior with Realm's message", async () => {
    const user = await userOfStoppedServer();
    const error = await rejection(
      Realm.open(
        config(user, {
          type: Realm.OpenRealmBehaviorType.DownloadBeforeOpen,
          timeOut: 10,
          timeOutBehavior: "giveUp" as Realm.OpenRealmTimeOutBehavior,
        }),
      ),
    );
    expect(error.message).toBe(
      "Invalid 'timeOutBehavior': 'giveUp'. Only 'throwException' and 'openLocalRealm' is allowed.",
    );
    Realm.deleteFile(config(user));
  });
});

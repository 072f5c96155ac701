/**
 * What the realm-flx end-to-end tests share: the cars app's Car class as a realm-core schema,
 * the usual subscription, a sync server whose devices are quit after each test, and the cars
 * app switched to development mode.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach } from "vitest";
import { copyCarsApp } from "../../../config/test-support/appFixture.js";
import { startSyncServer, type SyncTestServer } from "../../test-support/startSyncServer.js";
import { RealmFlxDevice } from "./RealmFlxDevice.js";

export const NATIVE_CAR = {
  name: "Car",
  primaryKey: "_id",
  properties: {
    _id: "objectId",
    ownerId: "string",
    make: "string",
    model: "string?",
    miles: "int?",
  },
};
export const NATIVE_CAR_SCHEMA = [NATIVE_CAR];

/** Cars with fewer than 100 miles: a query on the cars app's queryable field. */
export const CHEAP_CARS = [{ name: "cheap", class: "Car", query: "miles < 100" }];

export interface RealmFlxServer {
  /** The server of the running test. */
  readonly sync: () => SyncTestServer;
  /** Starts a device against the running test's server; it is quit when the test ends. */
  readonly device: (name: string) => Promise<RealmFlxDevice>;
}

/** A fresh sync server for each test (in the calling `describe`, or the file). */
export function useRealmFlxServer(): RealmFlxServer {
  let sync: SyncTestServer | undefined;
  const devices: RealmFlxDevice[] = [];
  beforeEach(async () => {
    sync = await startSyncServer();
  });
  afterEach(async () => {
    await Promise.all(devices.splice(0).map((device) => device.quit()));
    const stopping = sync;
    sync = undefined;
    await stopping?.stop();
  });
  const running = (): SyncTestServer => {
    if (!sync) throw new Error("The sync server runs only inside a test");
    return sync;
  };
  return {
    sync: running,
    device: async (name) => {
      const started = await RealmFlxDevice.start(
        name,
        running().server.url,
        running().server.appId,
      );
      devices.push(started);
      return started;
    },
  };
}

/** Steps run after each test, the last added first. */
export function useCleanUp(): (step: () => Promise<void>) => void {
  const steps: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) await step();
  });
  return (step) => steps.push(step);
}

/**
 * A copy of the cars app in development mode (a device's schema defines new types) whose one
 * role lets everyone read and write every document.
 */
export async function copyCarsAppInDevelopmentMode(): Promise<{
  dir: string;
  remove: () => Promise<void>;
}> {
  const app = await copyCarsApp();
  const file = path.join(app.dir, "sync", "config.json");
  const config = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...config, development_mode_enabled: true }));
  await writeFile(
    path.join(app.dir, "data_sources", "mongodb-atlas", "default_rule.json"),
    JSON.stringify({
      roles: [
        {
          name: "everyone",
          apply_when: {},
          document_filters: { read: {}, write: {} },
          read: true,
          write: true,
        },
      ],
    }),
  );
  return app;
}

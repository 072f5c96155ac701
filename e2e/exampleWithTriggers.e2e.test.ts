/**
 * The `examples/cars-with-triggers` export, unchanged, under a real `atoll serve` process: a
 * Google user signs in and the authentication trigger's custom user data is in their profile;
 * a device's write over sync fires the database triggers exactly as a data-API write does; a
 * signed webhook writes a car that reaches the device and a forged one is refused. The
 * scheduled trigger runs on the same export in process, by a clock the test moves. A restart
 * in the middle of a burst is `triggerRestart.e2e.test.ts`, on this same export.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ObjectId } from "bson";
import * as RealmWeb from "realm-web";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AtollServer } from "../packages/server/src/AtollServer.js";
import {
  startLocalJwks,
  type LocalJwks,
} from "../packages/server/src/auth/test-support/localJwks.js";
import { CliProcess } from "../packages/server/src/cli/test-support/cliProcess.js";
import { SqliteStorage } from "../packages/server/src/storage/SqliteStorage.js";
import { ManualClock } from "../packages/server/src/triggers/test-support/ManualClock.js";
import type { Car } from "./support/carModel.js";
import { useDevices, whenRealm } from "./support/syncHarness.js";

const EXAMPLE_DIR = fileURLToPath(new URL("../examples/cars-with-triggers", import.meta.url));
const GOOGLE_CLIENT = "1234-cars.apps.googleusercontent.com";
const WEBHOOK_SECRET = "dealer-webhook-secret";
/** The operator's secrets: the export names them, never holds them. */
const SECRETS = {
  ATOLL_SECRET_CARWEBHOOKSECRET: WEBHOOK_SECRET,
  ATOLL_SECRET_GOOGLECLIENTSECRET: "google-client-secret",
};
const LISTENING = /^Atoll listening on (http:\/\/\S+) \(app (\S+)\)$/;
const RECORDED_RUN = /"msg":"trigger recordCarEvents: function recordCarEvent"/;
const FILLED = (make: string) => `${make} (model filled by a trigger)`;

const work = mkdtempSync(join(tmpdir(), "atoll-example-triggers-"));
const storeFile = join(work, "cars.db");
let jwks: LocalJwks;
let cli: CliProcess;
let url = "";
let appId = "";

beforeAll(async () => {
  jwks = await startLocalJwks();
  cli = new CliProcess(
    [
      "serve",
      ...["--app", EXAMPLE_DIR, "--storage", `sqlite:${storeFile}`, "--port", "0"],
      ...["--oauth-jwks", `oauth2-google=${jwks.url}`, "--log-level", "info"],
    ],
    { cwd: work, env: SECRETS },
  );
  [, url = "", appId = ""] = LISTENING.exec(await cli.waitForLine(LISTENING)) ?? [];
});
afterAll(async () => {
  await cli?.signal("SIGTERM");
  await jwks?.close();
  rmSync(work, { recursive: true, force: true });
});

const device = useDevices(() => ({ url, appId }));

/** Cars whose events the recording trigger must have handled before the store is read. */
let carsWritten = 0;

/**
 * The events the recording trigger saw for each car, without what differs between any two
 * cars, read from the store once the server has handled every car written and stopped.
 */
async function recordedEvents(): Promise<Map<string, unknown[]>> {
  // Every car gets an insert and, from the model-filling trigger, an update.
  await cli.waitForStderrLines(RECORDED_RUN, carsWritten * 2);
  expect((await cli.signal("SIGTERM")).code).toBe(0);
  const storage = new SqliteStorage(storeFile);
  try {
    const byCar = new Map<string, unknown[]>();
    for (const { doc } of await storage.scan({ db: "triggers", coll: "carEvents" })) {
      const event = doc["event"] as Record<string, unknown> & { documentKey: { _id: unknown } };
      const { _id, clusterTime: _time, wallTime: _wall, documentKey, ...rest } = event;
      const withoutKeys = (car: unknown) => {
        if (car === undefined) return undefined;
        const { _id: _car, ownerId: _owner, ...fields } = car as Record<string, unknown>;
        return fields;
      };
      const key = String(documentKey._id);
      byCar.set(key, [
        ...(byCar.get(key) ?? []),
        {
          ...rest,
          fullDocument: withoutKeys(rest["fullDocument"]),
          fullDocumentBeforeChange: withoutKeys(rest["fullDocumentBeforeChange"]),
        },
      ]);
    }
    return byCar;
  } finally {
    await storage.close();
  }
}

function postWebhook(body: string, signedWith: string): Promise<Response> {
  const signature = createHmac("sha256", signedWith).update(body).digest("hex");
  return fetch(`${url}/app/${appId}/endpoint/carFromWebhook`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Endpoint-Signature": `sha256=${signature}` },
    body,
  });
}

describe("the cars-with-triggers export under atoll serve", () => {
  it("signs a Google user in with realm-web, with the custom user data the authentication trigger wrote", async () => {
    const web = new RealmWeb.App({ id: appId, baseUrl: url });
    const idToken = await jwks.sign({
      iss: "https://accounts.google.com",
      aud: GOOGLE_CLIENT,
      sub: "google-driver",
      email: "driver@example.com",
    });
    const user = await web.logIn(RealmWeb.Credentials.google({ idToken }));
    expect(user.identities).toEqual([{ id: "google-driver", providerType: "oauth2-google" }]);
    expect(user.customData).toMatchObject({
      userId: user.id,
      plan: "free",
      signedUpWith: ["oauth2-google"],
    });
    expect(user.profile.email).toBe("driver@example.com");
  });

  it("runs a correctly signed webhook, whose car reaches the owner's device, and refuses a forged one", async () => {
    const { realm, user } = await device();
    const forged = await postWebhook(
      JSON.stringify({ ownerId: user.id, make: "Forged", miles: 1 }),
      "not-the-secret",
    );
    expect(forged.status).toBe(401);

    const response = await postWebhook(
      JSON.stringify({ ownerId: user.id, make: "Lancia", miles: 3 }),
      WEBHOOK_SECRET,
    );
    expect(response.status).toBe(201);
    carsWritten += 1;
    const model = await whenRealm(realm, () => {
      const cars = realm.objects<Car>("Car").filtered("make == $0", "Lancia");
      return cars[0]?.model ?? undefined;
    });
    expect(model).toBe(FILLED("Lancia"));
    expect(realm.objects<Car>("Car").filtered("make == $0", "Forged")).toHaveLength(0);
  });

  it("fires the database triggers for a device's write exactly as for a data-API write", async () => {
    const { realm, user } = await device();
    const fromDevice = new ObjectId();
    realm.write(() => {
      realm.create("Car", { _id: fromDevice, ownerId: user.id, make: "Volvo", miles: 5 });
    });
    carsWritten += 1;
    const fromDataApi = new ObjectId();
    await user
      .mongoClient("mongodb-atlas")
      .db("cars-db")
      .collection("Car")
      .insertOne({ _id: fromDataApi, ownerId: user.id, make: "Volvo", miles: 5 });
    carsWritten += 1;
    for (const id of [fromDevice, fromDataApi]) {
      const model = await whenRealm(
        realm,
        () => realm.objectForPrimaryKey<Car>("Car", id)?.model ?? undefined,
      );
      expect(model).toBe(FILLED("Volvo"));
    }

    const events = await recordedEvents();
    const deviceEvents = events.get(fromDevice.toHexString()) ?? [];
    expect(deviceEvents.map((e) => (e as { operationType: string }).operationType)).toEqual([
      "insert",
      "update",
    ]);
    expect(deviceEvents).toEqual(events.get(fromDataApi.toHexString()));
  });
});

describe("the cars-with-triggers export's scheduled trigger", () => {
  const minute = (m: number) => new Date(Date.UTC(2026, 11, 7, 9, m, 30));
  let server: AtollServer;
  const clock = new ManualClock(minute(0));

  beforeAll(async () => {
    for (const [name, value] of Object.entries(SECRETS)) vi.stubEnv(name, value);
    server = await AtollServer.start({
      appDir: EXAMPLE_DIR,
      port: 0,
      storage: "memory",
      logLevel: "silent",
      triggerClock: clock,
    });
  });
  afterAll(async () => {
    await server?.close();
    vi.unstubAllEnvs();
  });

  it("reports once each minute", async () => {
    const system = server.data.system();
    await system.db("cars-db").collection("Car").insertOne({ ownerId: "u1", make: "Fiat" });
    await server.triggers.whenIdle();
    const reports = () => system.db("triggers").collection("reports").find({});
    expect(await reports()).toEqual([]);

    clock.set(minute(1));
    await server.triggers.whenIdle();
    clock.set(minute(2));
    await server.triggers.whenIdle();
    expect((await reports()).map(({ cars }) => cars)).toEqual([1, 1]);
  });
});

/**
 * The `examples/cars-with-triggers` export, unchanged, under a real `atoll serve` process: a
 * Google user signs in and the authentication trigger's custom user data is in their profile;
 * a device's write over sync fires the database triggers exactly as a data-API write does; a
 * signed webhook writes a car that reaches the device and a forged one is refused. On the same
 * export, the scheduled trigger runs by a clock the test moves in `TriggerService.test.ts`
 * (in process: a child's clock cannot be moved), and a restart in the middle of a burst is
 * `triggerRestart.e2e.test.ts`.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ObjectId } from "bson";
import * as RealmWeb from "realm-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startLocalJwks,
  type LocalJwks,
} from "../packages/server/src/auth/test-support/localJwks.js";
import { CliProcess } from "../packages/server/src/cli/test-support/cliProcess.js";
import { SqliteStorage } from "../packages/server/src/storage/SqliteStorage.js";
import {
  comparableCarEvent,
  TRIGGERS_EXAMPLE_DIR,
  TRIGGERS_EXAMPLE_SECRETS,
  TRIGGERS_EXAMPLE_WEBHOOK_SECRET,
} from "../packages/server/src/triggers/test-support/triggersExample.js";
import type { Car } from "./support/carModel.js";
import { useDevices, whenRealm } from "./support/syncHarness.js";

const GOOGLE_CLIENT = "1234-cars.apps.googleusercontent.com";
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
      ...["--app", TRIGGERS_EXAMPLE_DIR, "--storage", `sqlite:${storeFile}`, "--port", "0"],
      ...["--oauth-jwks", `oauth2-google=${jwks.url}`, "--log-level", "info"],
    ],
    { cwd: work, env: TRIGGERS_EXAMPLE_SECRETS },
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
 * cars, read from the store once the server has handled every car written and stopped (so
 * only the file's last test calls it).
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
      const key = String(event.documentKey._id);
      byCar.set(key, [...(byCar.get(key) ?? []), comparableCarEvent(event)]);
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
      TRIGGERS_EXAMPLE_WEBHOOK_SECRET,
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

/**
 * Custom user data ends up in the user's access token, where rules and functions trust it.
 * Over real HTTP with an unmodified realm-web client, against the cars example, the test app
 * and the `atoll init` template: a user cannot write another user's custom data, through the
 * example's function or the data API, nor give themselves a role.
 */
import * as Realm from "realm-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { scaffoldFiles } from "../cli/scaffold.js";
import { CARS_APP_DIR, writeApp } from "../config/test-support/appFixture.js";
import { claimsOf } from "./test-support/rawClient.js";
import { TEST_APP_DIR } from "./test-support/standInServer.js";

const servers = new Map<string, AtollServer>();
let template: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  template = await writeApp(scaffoldFiles("template"), {});
  for (const [name, appDir] of [
    ["cars example", CARS_APP_DIR],
    ["test app", TEST_APP_DIR],
    ["atoll init template", template.dir],
  ] as const) {
    servers.set(
      name,
      await AtollServer.start({
        appDir,
        port: 0,
        storage: "memory",
        logLevel: "silent",
        functionTimeoutMs: 10_000,
      }),
    );
  }
});
afterAll(async () => {
  for (const server of servers.values()) await server.close();
  await template.remove();
});

function serverOf(name: string): AtollServer {
  const started = servers.get(name);
  if (started === undefined) throw new Error(`no ${name} server`);
  return started;
}

function appOf(name: string): Realm.App {
  return new Realm.App({ id: serverOf(name).appId, baseUrl: serverOf(name).url });
}

/** The error message, or "accepted" when the promise resolved. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return "accepted";
}

describe.each(["cars example", "test app"])("custom user data of the %s", (name) => {
  const newApp = () => appOf(name);

  it("cannot be written for another user, nor given a role, by the writeCustomUserData function", async () => {
    const alice = await newApp().logIn(Realm.Credentials.anonymous(false));
    const aliceData = await alice.refreshCustomData();
    const bob = await newApp().logIn(Realm.Credentials.anonymous(false));

    const refusals = [];
    for (const forged of [
      { userId: alice.id, favoriteFood: "gravel", role: "admin" },
      { userId: alice.id, favoriteFood: "gravel" },
      { role: "admin" },
    ]) {
      refusals.push(await failure(bob.functions.callFunction("writeCustomUserData", forged)));
    }

    expect(await alice.refreshCustomData()).toEqual(aliceData);
    expect(claimsOf(alice.accessToken ?? "").user_data).toEqual(
      JSON.parse(JSON.stringify(aliceData)),
    );
    expect((await bob.refreshCustomData()).role).toBeUndefined();
    expect(refusals).toEqual([
      expect.stringContaining(
        "writeCustomUserData writes only the calling user's custom user data",
      ),
      expect.stringContaining(
        "writeCustomUserData writes only the calling user's custom user data",
      ),
      expect.stringContaining('writeCustomUserData does not write the field "role"'),
    ]);
    await bob.functions.callFunction("writeCustomUserData", {
      userId: bob.id,
      favoriteFood: "soup",
    });
    expect(await bob.refreshCustomData()).toMatchObject({ userId: bob.id, favoriteFood: "soup" });
  });
});

describe.each(["cars example", "test app", "atoll init template"])(
  "custom user data of the %s",
  (name) => {
    it("cannot be written for another user through the data API", async () => {
      const config = serverOf(name).config.customUserData;
      if (config === undefined) throw new Error(`${name} has no custom user data`);
      const stored = serverOf(name)
        .data.system()
        .db(config.databaseName)
        .collection(config.collectionName);
      const alice = await appOf(name).logIn(Realm.Credentials.anonymous(false));
      await stored.updateOne(
        { userId: alice.id },
        { $set: { favoriteFood: "pizza" } },
        { upsert: true },
      );
      const aliceData = await alice.refreshCustomData();
      expect(aliceData).toMatchObject({ favoriteFood: "pizza" });
      const bob = await appOf(name).logIn(Realm.Credentials.anonymous(false));
      const bobsView = bob
        .mongoClient(config.mongoServiceName)
        .db(config.databaseName)
        .collection(config.collectionName);

      const storedOfBoth = () =>
        stored.find({ userId: { $in: [alice.id, bob.id] } }, { sort: { userId: 1 } });
      const before = await storedOfBoth();
      // Each attempt is refused or changes nothing; what counts is what is stored afterwards.
      const attempts = [
        () => bobsView.insertOne({ userId: alice.id, role: "admin" }),
        () =>
          bobsView.updateOne({ userId: alice.id }, { $set: { role: "admin" } }, { upsert: true }),
        () => bobsView.updateOne({ userId: bob.id }, { $set: { role: "admin" } }, { upsert: true }),
        () => bobsView.deleteOne({ userId: alice.id }),
      ];
      for (const attempt of attempts) await attempt().catch(() => undefined);
      expect(await storedOfBoth()).toEqual(before);
      expect(await alice.refreshCustomData()).toEqual(aliceData);
      expect((await bob.refreshCustomData()).role).toBeUndefined();
    });
  },
);

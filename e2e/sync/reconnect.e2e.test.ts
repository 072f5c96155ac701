/**
 * A server restart under a connected device: the session notices, reconnects with backoff
 * once the server is back (same port, same storage), binds with its file identity and resumes
 * from its cursors — writes made while the server was down are uploaded once, and what others
 * wrote meanwhile is downloaded. And Realm.open's time-out when the server cannot be reached.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ObjectId } from "bson";
import { afterAll, describe, expect, it } from "vitest";
import { App, Credentials, Realm } from "@atoll/client";
import type { ConnectionState } from "@atoll/client";
import { CARS_APP_DIR, startAppServer } from "../../packages/client/src/test-support/appServer.js";
import type { TestAppServer } from "../../packages/client/src/test-support/appServer.js";
import type { Car } from "../support/carModel.js";
import { CarSchema } from "../support/carModel.js";
import { freePort } from "../support/freePort.js";

describe("a server restart", () => {
  const root = mkdtempSync(join(tmpdir(), "atoll-e2e-restart-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("is ridden out: the session reconnects and resumes from its cursors", async () => {
    const port = await freePort();
    const storageFile = join(root, "server.sqlite");
    const options = { appDir: CARS_APP_DIR, port, storageFile };
    let server: TestAppServer = await startAppServer(options);
    const realms: Realm[] = [];
    try {
      const email = `restart-${new ObjectId().toHexString()}@example.com`;
      const password = "back in a moment";
      const open = async (name: string): Promise<{ realm: Realm; userId: string }> => {
        const app = new App({
          id: server.appId,
          baseUrl: server.url,
          baseFilePath: join(root, name),
        });
        await app.emailPasswordAuth.registerUser({ email, password }).catch(() => undefined);
        const user = await app.logIn(Credentials.emailPassword(email, password));
        const realm = await Realm.open({
          schema: [CarSchema],
          sync: {
            user,
            flexible: true,
            initialSubscriptions: { update: (subs, r) => void subs.add(r.objects("Car")) },
          },
        });
        realms.push(realm);
        return { realm, userId: user.id };
      };
      const phone = await open("phone");
      const tablet = await open("tablet");
      const states: ConnectionState[] = [];
      phone.realm.syncSession!.addConnectionNotification((state) => states.push(state));
      const disconnected = new Promise<void>((resolve) =>
        phone.realm.syncSession!.addConnectionNotification((state) => {
          if (state === "disconnected") resolve();
        }),
      );

      await server.stop();
      await disconnected;
      const offline = new ObjectId();
      phone.realm.write(() =>
        phone.realm.create("Car", {
          _id: offline,
          ownerId: phone.userId,
          make: "Offline",
          miles: 1,
        }),
      );
      server = await startAppServer(options);

      await phone.realm.syncSession!.waitForUpload();
      await tablet.realm.syncSession!.waitForDownload();
      expect(tablet.realm.objectForPrimaryKey<Car>("Car", offline)?.make).toBe("Offline");
      const fromTablet = new ObjectId();
      tablet.realm.write(() =>
        tablet.realm.create("Car", {
          _id: fromTablet,
          ownerId: tablet.userId,
          make: "Back",
          miles: 2,
        }),
      );
      await tablet.realm.syncSession!.waitForUpload();
      await phone.realm.syncSession!.waitForDownload();
      expect(
        phone.realm
          .objects<Car>("Car")
          .map((car) => car.make)
          .sort(),
      ).toEqual(["Back", "Offline"]);
      const stored = server.server.data.system().db("cars-db").collection("Car");
      expect(await stored.count({ ownerId: phone.userId })).toBe(2);
      expect(states).toContain("connected");
      expect(phone.realm.syncSession!.connectionState).toBe(Realm.ConnectionState.Connected);
    } finally {
      for (const realm of realms) realm.close();
      await server.stop();
    }
  });

  it("opens the local copy, or fails, when the server cannot be reached in time", async () => {
    const server = await startAppServer({ appDir: CARS_APP_DIR });
    const app = new App({
      id: server.appId,
      baseUrl: server.url,
      baseFilePath: join(root, "late"),
    });
    const user = await app.logIn(Credentials.anonymous(false));
    await app.syncRoute();
    await server.stop();
    const behavior = (timeOutBehavior: "openLocalRealm" | "throwException") => ({
      schema: [CarSchema],
      sync: {
        user,
        flexible: true as const,
        newRealmFileBehavior: {
          type: Realm.OpenRealmBehaviorType.DownloadBeforeOpen,
          timeOut: 50,
          timeOutBehavior,
        },
        existingRealmFileBehavior: {
          type: Realm.OpenRealmBehaviorType.DownloadBeforeOpen,
          timeOut: 50,
          timeOutBehavior,
        },
      },
    });
    await expect(Realm.open(behavior("throwException"))).rejects.toThrow(
      "Realm could not be downloaded in the allocated time: 50 ms.",
    );
    const local = await Realm.open(behavior("openLocalRealm"));
    expect(local.syncSession?.connectionState).not.toBe(Realm.ConnectionState.Connected);
    local.close();
  });
});

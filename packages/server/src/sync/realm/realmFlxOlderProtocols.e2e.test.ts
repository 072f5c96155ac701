/**
 * SDK releases whose realm-core offers no version above 11 (realm-core 13.10 to 14.4 offer
 * 8 to 11): realm-core 14.14, offered through a proxy that keeps only the versions up to
 * `newest`, speaks the version the server picks, and two devices sync as with 14.
 */
import { describe, expect, it } from "vitest";
import { startSyncServer } from "../test-support/startSyncServer.js";
import { startOfferLimitingProxy } from "./test-support/offerLimitingProxy.js";
import { RealmFlxDevice } from "./test-support/RealmFlxDevice.js";
import { CHEAP_CARS, NATIVE_CAR_SCHEMA, useCleanUp } from "./test-support/realmFlxHarness.js";

const cleanUp = useCleanUp();

describe.each([8, 11])("a realm-core offering versions up to %i", (newest) => {
  it("is answered with that version, and a car written on one device reaches another", async () => {
    const sync = await startSyncServer();
    cleanUp(() => sync.stop());
    const proxy = await startOfferLimitingProxy(sync.server.url, newest);
    cleanUp(() => proxy.close());
    const email = `older-${newest}@example.com`;
    const password = "password123";
    const devices: RealmFlxDevice[] = [];
    let userId = "";
    for (const name of ["writer", "reader"]) {
      const device = await RealmFlxDevice.start(name, proxy.url, sync.server.appId);
      cleanUp(() => device.quit());
      await device.command({ cmd: "logLevel", level: "debug" });
      if (name === "writer") await device.command({ cmd: "register", email, password });
      const login = await device.command({ cmd: "login", provider: "email", email, password });
      userId = String(login.userId);
      await device.command({
        cmd: "open",
        path: "cars.realm",
        schema: NATIVE_CAR_SCHEMA,
        subscriptions: CHEAP_CARS,
      });
      devices.push(device);
    }
    const [writer, reader] = devices as [RealmFlxDevice, RealmFlxDevice];
    const negotiated = await writer.event(
      (event) => event.event === "log" && /Negotiated protocol version/.test(String(event.message)),
    );
    expect(negotiated.message).toContain(`Negotiated protocol version: ${newest}`);

    const _id = { $oid: "65f1a1b2c3d4e5f6012340b1" };
    await writer.command({
      cmd: "write",
      ops: [
        { op: "create", class: "Car", value: { _id, ownerId: userId, make: "Tatra", miles: 8 } },
      ],
    });
    await writer.command({ cmd: "upload" });
    await reader.command({ cmd: "download" });
    expect(await reader.command({ cmd: "query", class: "Car" })).toMatchObject({
      objects: [{ _id, ownerId: userId, make: "Tatra", miles: { $numberLong: "8" } }],
    });
  });
});

/**
 * A realm-core device's access token expiring while it syncs. The server checks the token
 * when a session binds: on a connection that is already open, an expired token closes it
 * with 4001, and on a new connection the upgrade is refused with HTTP 401. realm-core answers
 * both by refreshing the token and connecting again, and the app sees no error.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { startSyncServer } from "../test-support/startSyncServer.js";
import { RealmFlxDevice } from "./test-support/RealmFlxDevice.js";
import { CHEAP_CARS, NATIVE_CAR_SCHEMA, useCleanUp } from "./test-support/realmFlxHarness.js";

const ACCESS_TOKEN_LIFETIME_MS = 30 * 60 * 1000;

const cleanUp = useCleanUp();
afterEach(() => vi.useRealTimers());

describe.each([
  {
    connection: "a connection kept open (sessions multiplexed): closed with 4001",
    multiplex: true,
  },
  { connection: "a new connection for each session: refused with 401", multiplex: false },
])("an access token that expired, on $connection", ({ multiplex }) => {
  it("is refreshed by the device, which reconnects and syncs what it wrote", async () => {
    const sync = await startSyncServer();
    cleanUp(() => sync.stop());
    const native = await RealmFlxDevice.start("token", sync.server.url, sync.server.appId, {
      multiplex,
    });
    cleanUp(() => native.quit());
    const { userId } = await native.command({ cmd: "login", provider: "anonymous" });
    await native.command({
      cmd: "open",
      path: "cars.realm",
      schema: NATIVE_CAR_SCHEMA,
      subscriptions: CHEAP_CARS,
    });
    await native.command({ cmd: "pause" });
    // Only the server's clock moves (the device, a separate process, keeps real time).
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + ACCESS_TOKEN_LIFETIME_MS + 60_000 });
    await native.command({
      cmd: "write",
      ops: [{ op: "create", class: "Car", value: { ownerId: userId, make: "Skoda", miles: 3 } }],
    });
    await native.command({ cmd: "resume" });
    await native.command({ cmd: "upload" });

    const stored = await sync.server.data.system().db("cars-db").collection("Car").findOne({});
    expect(stored).toMatchObject({ ownerId: userId, make: "Skoda" });
    const log = (await sync.server.logs.query({ userId: String(userId) })).map(
      (entry) => entry.message,
    );
    expect(log).toContain("refreshed access token");
    // The bind on the open connection met the expired token; a new connection never got there.
    expect(log.some((message) => message.includes("access token expired"))).toBe(multiplex);
    expect(native.events.filter((event) => event.event === "syncError")).toEqual([]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";
import { RealmFlxDevice } from "./test-support/RealmFlxDevice.js";

const CAR_SCHEMA = [
  {
    name: "Car",
    primaryKey: "_id",
    properties: {
      _id: "objectId",
      ownerId: "string",
      make: "string",
      model: "string?",
      miles: "int?",
    },
  },
];

describe("a native Realm app (realm-core 14) syncs with Atoll", () => {
  let sync: SyncTestServer;
  const devices: RealmFlxDevice[] = [];

  beforeEach(async () => {
    sync = await startSyncServer();
  });
  afterEach(async () => {
    await Promise.all(devices.splice(0).map((device) => device.quit()));
    await sync.stop();
  });

  async function device(name: string): Promise<RealmFlxDevice> {
    const started = await RealmFlxDevice.start(name, sync.server.url, sync.server.appId);
    devices.push(started);
    return started;
  }

  it("a car created on one device reaches the same user's second device", async () => {
    const email = "native@example.com";
    const password = "password123";
    const first = await device("first");
    await first.command({ cmd: "logLevel", level: "debug" });
    await first.command({ cmd: "register", email, password });
    const { userId } = await first.command({ cmd: "login", provider: "email", email, password });
    const subscriptions = [{ name: "mine", class: "Car", query: `ownerId == "${String(userId)}"` }];
    await first.command({ cmd: "open", path: "cars.realm", schema: CAR_SCHEMA, subscriptions });
    await first.command({
      cmd: "write",
      ops: [
        {
          op: "create",
          class: "Car",
          value: {
            _id: { $oid: "65f1a1b2c3d4e5f601234567" },
            ownerId: userId,
            make: "VW",
            miles: 5,
          },
        },
      ],
    });
    await first.command({ cmd: "upload" });

    const second = await device("second");
    await second.command({ cmd: "login", provider: "email", email, password });
    await second.command({ cmd: "open", path: "cars.realm", schema: CAR_SCHEMA, subscriptions });
    await second.command({ cmd: "download" });
    const { objects } = await second.command({ cmd: "query", class: "Car" });
    expect(objects).toEqual([
      {
        _id: { $oid: "65f1a1b2c3d4e5f601234567" },
        ownerId: userId,
        make: "VW",
        model: null,
        miles: { $numberLong: "5" },
      },
    ]);
  });
});

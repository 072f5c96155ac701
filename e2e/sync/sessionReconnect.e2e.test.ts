/**
 * `SyncSession.reconnect()`: a session that lost its connection and waits out its backoff
 * delay tries again at once when told to. The session's own retry timer is kept from firing
 * (fake timers while it is scheduled), so only `reconnect()` can bring the connection back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ObjectId } from "bson";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { App, ConnectionState, Credentials, Realm } from "@atoll/client";
import type { SyncSession } from "@atoll/client";
import type { Car } from "../support/carModel.js";
import { CarSchema } from "../support/carModel.js";
import { FaultProxy } from "../support/faults/proxy.js";
import { useSyncServer } from "../support/syncHarness.js";

function whenState(session: SyncSession, wanted: ConnectionState): Promise<void> {
  return new Promise((resolve) => {
    if (session.connectionState === wanted) return resolve();
    const listener = (state: ConnectionState): void => {
      if (state !== wanted) return;
      session.removeConnectionNotification(listener);
      resolve();
    };
    session.addConnectionNotification(listener);
  });
}

describe("SyncSession.reconnect", () => {
  const server = useSyncServer();
  const root = mkdtempSync(join(tmpdir(), "atoll-e2e-reconnect-now-"));
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await FaultProxy.start(server().url);
  });
  afterAll(async () => {
    await proxy.close();
    rmSync(root, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reconnects at once a session waiting out its backoff", async () => {
    const app = new App({ id: server().appId, baseUrl: proxy.url, baseFilePath: root });
    const user = await app.logIn(Credentials.anonymous(false));
    const realm = await Realm.open({
      schema: [CarSchema],
      sync: {
        user,
        flexible: true,
        initialSubscriptions: { update: (subs, r) => void subs.add(r.objects<Car>("Car")) },
      },
    });
    const session = realm.syncSession!;
    expect(session.connectionState).toBe(ConnectionState.Connected);
    // Nothing connected: reconnect() changes nothing.
    session.reconnect();
    expect(session.connectionState).toBe(ConnectionState.Connected);

    proxy.refuse(true);
    const down = whenState(session, ConnectionState.Disconnected);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    proxy.cutWebSockets();
    await down;
    // The retry timer was scheduled on the fake clock, which never advances.
    vi.useRealTimers();
    proxy.refuse(false);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(session.connectionState).toBe(ConnectionState.Disconnected);

    const up = whenState(session, ConnectionState.Connected);
    session.reconnect();
    await up;
    realm.write(() => realm.create("Car", { _id: new ObjectId(), ownerId: user.id, make: "Back" }));
    await session.uploadAllLocalChanges();
    realm.close();
  });
});

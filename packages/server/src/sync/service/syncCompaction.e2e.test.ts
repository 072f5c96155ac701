/**
 * `client_max_offline_days` over the wire: a device offline for longer than the app allows
 * is told to reset (222, action ClientReset, with the app's `is_recovery_mode_disabled`), as
 * is one whose cursor is below what compaction removed; devices that stay in touch keep
 * receiving every change. Time moves through the server's injected clock.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ObjectId, Long } from "bson";
import { afterEach, describe, expect, it } from "vitest";
import { copyCarsApp } from "../../config/test-support/appFixture.js";
import { startSyncServer, type SyncTestServer } from "../test-support/startSyncServer.js";
import type { FileIdentity, SyncTestClient, TestLogin } from "../test-support/SyncTestClient.js";

const DAY = 24 * 60 * 60 * 1000;
const CARS = { Car: "miles >= 0" };

let clock = Date.UTC(2026, 0, 1);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The cars app with its sync configuration changed, on a server whose clock the test moves. */
async function start(sync: Record<string, unknown> = {}): Promise<SyncTestServer> {
  const app = await copyCarsApp();
  cleanups.push(app.remove);
  const file = path.join(app.dir, "sync", "config.json");
  const config = { ...JSON.parse(await readFile(file, "utf8")), ...sync } as Record<
    string,
    unknown
  >;
  for (const [key, value] of Object.entries(config)) if (value === undefined) delete config[key];
  await writeFile(file, JSON.stringify(config));
  clock = Date.UTC(2026, 0, 1);
  const t = await startSyncServer({ appDir: app.dir, sync: { now: () => new Date(clock) } });
  cleanups.push(() => t.stop());
  return t;
}

function compact(t: SyncTestServer) {
  return t.server.sync!.compactor.run();
}

/** Uploads one new car and waits for its acknowledgement; returns its primary key. */
async function addCar(client: SyncTestClient, login: TestLogin, miles: number): Promise<ObjectId> {
  const pk = new ObjectId();
  const version = client.upload([
    { type: "CreateObject", table: "Car", pk },
    { type: "Update", table: "Car", pk, path: ["ownerId"], value: login.userId },
    { type: "Update", table: "Car", pk, path: ["make"], value: "Opel" },
    { type: "Update", table: "Car", pk, path: ["miles"], value: Long.fromNumber(miles) },
  ]);
  await client.acknowledged(version);
  return pk;
}

/** A device that reconnects with its file and cursor, subscribed to every car. */
async function reconnect(
  t: SyncTestServer,
  login: TestLogin,
  file: FileIdentity,
  cursor: SyncTestClient["cursor"],
): Promise<SyncTestClient> {
  const client = await t.connect(login);
  client.cursor = cursor;
  await client.bind({ file, queryVersion: 1, query: CARS });
  return client;
}

/** A new device, subscribed to every car, that then reconnects so its reported cursor is current. */
async function settledDevice(t: SyncTestServer, login: TestLogin): Promise<SyncTestClient> {
  const first = await t.connect(login);
  const file = await first.bind();
  await first.subscribe(1, CARS);
  await first.mark();
  await first.close();
  const client = await reconnect(t, login, file, first.cursor);
  await client.mark();
  return client;
}

function pksOf(client: SyncTestClient): string[] {
  return client
    .downloadedInstructions()
    .filter((i) => i.type === "CreateObject")
    .map((i) => String(i.pk));
}

describe("client_max_offline_days", () => {
  it("tells a file offline for too long to reset, with the app's recovery setting", async () => {
    const t = await start({ client_max_offline_days: 30, is_recovery_mode_disabled: true });
    const login = await t.logIn();
    const device = await t.connect(login);
    const file = await device.bind();
    await device.subscribe(1, CARS);
    await device.close();

    clock += 31 * DAY;
    const back = await reconnect(t, login, file, device.cursor);
    const error = await back.next("error");
    expect(error).toMatchObject({
      code: 222,
      action: "ClientReset",
      tryAgain: false,
      isRecoveryModeDisabled: true,
    });
    expect(error.message).toContain(
      `Client file ${file.ident} was last seen 31 days ago, more than the 30 days client_max_offline_days allows`,
    );
    await back.closed();
  });

  it("compacts history below what live files need; they keep receiving every change, an expired or stale file must reset", async () => {
    const t = await start({ client_max_offline_days: 30 });
    const login = await t.logIn();
    const stale = await t.connect(login);
    const staleFile = await stale.bind();
    await stale.subscribe(1, CARS);
    await stale.close();

    const writer = await settledDevice(t, login);
    const reader = await settledDevice(t, login);
    const early = [await addCar(writer, login, 1), await addCar(writer, login, 2)];
    await reader.mark();
    // The reader reports its cursor (upload progress) with a change of its own.
    const readersCar = await addCar(reader, login, 3);
    await writer.mark();

    clock += 31 * DAY;
    const history = t.server.sync!.history;
    const latest = await history.latestVersion();
    const done = await compact(t);
    expect(done?.expired).toEqual([staleFile.ident]);
    expect(done!.floor).toBeGreaterThan(0);
    expect(done!.floor).toBeLessThanOrEqual(latest);
    expect(done!.removed).toBeGreaterThan(0);
    await expect(history.entriesSince(done!.floor - 1)).rejects.toMatchObject({ code: 222 });
    const kept = await history.entriesSince(done!.floor);
    expect(kept.map((e) => e.version)).toEqual(
      Array.from({ length: latest - done!.floor }, (_, i) => done!.floor + 1 + i),
    );

    const late = [await addCar(writer, login, 4), await addCar(writer, login, 5)];
    await reader.mark();
    const received = pksOf(reader);
    for (const pk of [...early, ...late]) expect(received).toContain(String(pk));
    expect(pksOf(writer)).toContain(String(readersCar));

    const expired = await reconnect(t, login, staleFile, stale.cursor);
    expect(await expired.next("error")).toMatchObject({
      code: 222,
      action: "ClientReset",
      isRecoveryModeDisabled: false,
    });

    const behind = await reconnect(t, login, writer.file!, {
      serverVersion: done!.floor - 1,
      lastIntegratedClientVersion: 0,
    });
    const error = await behind.next("error");
    expect(error).toMatchObject({ code: 222, action: "ClientReset" });
    expect(error.message).toContain(
      `history before server version ${done!.floor + 1} was compacted`,
    );
  });

  it("lets a new device sync after compaction removed all history", async () => {
    const t = await start({ client_max_offline_days: 30 });
    const login = await t.logIn();
    const writer = await settledDevice(t, login);
    const pk = await addCar(writer, login, 7);
    await writer.close();
    clock += 31 * DAY;
    const done = await compact(t);
    expect(done?.floor).toBe(await t.server.sync!.history.latestVersion());

    const fresh = await t.connect(login);
    await fresh.bind();
    await fresh.subscribe(1, CARS);
    expect(pksOf(fresh)).toContain(String(pk));
  });

  it("never compacts when client_max_offline_days is not set", async () => {
    const t = await start({ client_max_offline_days: undefined });
    const login = await t.logIn();
    const device = await t.connect(login);
    const file = await device.bind();
    await device.subscribe(1, CARS);
    await addCar(device, login, 1);
    await device.close();

    clock += 400 * DAY;
    expect(await compact(t)).toBeUndefined();
    const history = t.server.sync!.history;
    expect(history.floor).toBe(0);
    const latest = await history.latestVersion();
    expect(await history.entriesSince(0, latest)).toHaveLength(latest);

    const back = await reconnect(t, login, file, {
      serverVersion: 0,
      lastIntegratedClientVersion: 0,
    });
    await back.mark();
    expect(back.received.some((m) => m.type === "error")).toBe(false);
  });
});

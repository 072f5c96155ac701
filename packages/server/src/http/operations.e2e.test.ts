/**
 * Health, readiness, metrics and draining, over real HTTP and WebSocket against a real server.
 */
import { ObjectId, Long } from "bson";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSyncServer, type SyncTestServer } from "../sync/test-support/startSyncServer.js";

let t: SyncTestServer;

beforeAll(async () => {
  t = await startSyncServer();
});
afterAll(async () => {
  await t.stop();
});

async function metricValue(server: SyncTestServer, line: string): Promise<number> {
  const text = await (await fetch(`${server.server.url}/metrics`)).text();
  const found = text.split("\n").find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

describe("health and readiness", () => {
  it("answers liveness and readiness while serving", async () => {
    const live = await fetch(`${t.server.url}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${t.server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });
});

describe("metrics", () => {
  it("counts requests by route pattern, logins by provider, and sync volume", async () => {
    const appId = t.server.appId;
    const location = `atoll_http_requests_total{route="/api/client/v2.0/app/:appId/location",method="GET",status="200"}`;
    const before = await metricValue(t, location);
    await fetch(`${t.server.url}/api/client/v2.0/app/${appId}/location`);
    expect(await metricValue(t, location)).toBe(before + 1);

    const logins = `atoll_logins_total{provider="anon-user",outcome="ok"}`;
    const loginsBefore = await metricValue(t, logins);
    const login = await t.logIn();
    expect(await metricValue(t, logins)).toBe(loginsBefore + 1);
    await fetch(`${t.server.url}/api/client/v2.0/app/${appId}/auth/providers/made-up/login`, {
      method: "POST",
      body: "{}",
    });
    expect(await metricValue(t, `atoll_logins_total{provider="unknown",outcome="error"}`)).toBe(1);

    const device = await t.connect(login);
    await device.bind();
    await device.subscribe(1, { Car: `ownerId == "${login.userId}"` });
    expect(await metricValue(t, "atoll_sync_connections")).toBe(1);
    const id = new ObjectId();
    await device.acknowledged(
      device.upload([
        { type: "CreateObject", table: "Car", pk: id },
        { type: "Update", table: "Car", pk: id, path: ["ownerId"], value: login.userId },
        { type: "Update", table: "Car", pk: id, path: ["make"], value: "Zaporozhets" },
        { type: "Update", table: "Car", pk: id, path: ["miles"], value: Long.fromNumber(2) },
      ]),
    );
    expect(await metricValue(t, "atoll_sync_upload_changesets_total")).toBe(1);
    expect(await metricValue(t, "atoll_sync_upload_bytes_total")).toBeGreaterThan(0);
    expect(await metricValue(t, "atoll_sync_download_bytes_total")).toBeGreaterThan(0);
    expect(await metricValue(t, "atoll_sync_integration_seconds_count")).toBe(1);
    expect(await metricValue(t, "atoll_sync_server_version")).toBeGreaterThanOrEqual(1);
    await device.close();
  });

  it("never exposes tokens, user ids or document values", async () => {
    const login = await t.logIn();
    const text = await (await fetch(`${t.server.url}/metrics`)).text();
    expect(text).not.toContain(login.userId);
    expect(text).not.toContain(login.accessToken);
    expect(text).not.toContain("Zaporozhets");
  });
});

/** Starts a login whose body is held back until `finish` is called; resolves with its status. */
function heldLogin(url: string, appId: string): { finish(): void; status: Promise<number> } {
  const target = new URL(`${url}/api/client/v2.0/app/${appId}/auth/providers/anon-user/login`);
  let finish = () => {};
  const status = new Promise<number>((resolve, reject) => {
    const req = request(
      target,
      { method: "POST", headers: { "Content-Type": "application/json", "Content-Length": "2" } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.write("{");
    req.flushHeaders();
    finish = () => req.end("}");
  });
  return { finish: () => finish(), status };
}

describe("draining", () => {
  it("refuses new work with 503, tells devices to reconnect, and finishes what was under way", async () => {
    const drained = await startSyncServer();
    const { server } = drained;
    const login = await drained.logIn();
    const device = await drained.connect(login);
    await device.bind();
    await device.subscribe(1, { Car: `ownerId == "${login.userId}"` });
    const underWay = heldLogin(server.url, server.appId);
    // Under way once the server counts it beside the scrape asking.
    while ((await metricValue(drained, "atoll_http_requests_in_flight")) < 2);

    const closing = server.drain(60_000);
    const error = await device.next("error");
    expect(error).toMatchObject({ code: 100, tryAgain: true, action: "Transient" });
    expect(await device.closed()).toBe(1001);
    const refused = await fetch(`${server.url}/api/client/v2.0/app/${server.appId}/location`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error_code: "ServiceUnavailable" });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    underWay.finish();
    expect(await underWay.status).toBe(200);
    await closing;
    await drained.stop();
  });
});

/**
 * AtollServer as an operator sees it: state on a SQLite file survives a restart (users,
 * sessions, the token signing key), a broken app export stops start-up with a ConfigError,
 * and close() returns even with a watch stream open.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { ConfigError } from "../config/ConfigError.js";
import { TEST_APP_DIR } from "./test-support/standInServer.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "atoll-server-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const start = (storage: string) =>
  AtollServer.start({ appDir: TEST_APP_DIR, port: 0, storage, logLevel: "silent" });

async function post(url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
}

describe("AtollServer", () => {
  it("keeps users, sessions and the signing key across a restart on SQLite", async () => {
    const storage = `sqlite:${path.join(dir, "restart.db")}`;
    const first = await start(storage);
    const login = (await (
      await post(
        `${first.url}/api/client/v2.0/app/${first.appId}/auth/providers/anon-user/login`,
        {},
      )
    ).json()) as {
      access_token: string;
      refresh_token: string;
      user_id: string;
    };
    await first.close();

    const second = await start(storage);
    try {
      const profile = await fetch(`${second.url}/api/client/v2.0/auth/profile`, {
        headers: { Authorization: `Bearer ${login.access_token}` },
      });
      expect(profile.status).toBe(200);
      expect(await profile.json()).toMatchObject({ user_id: login.user_id });
      const refreshed = await post(
        `${second.url}/api/client/v2.0/auth/session`,
        undefined,
        login.refresh_token,
      );
      expect(refreshed.status).toBe(201);
      const entries = await second.logs.query({ userId: login.user_id, type: "auth" });
      expect(entries.map((entry) => entry.message)).toContain("logged in with anon-user");
      // Request entries are stored in the background; closing waits for them.
      const requests = await second.logs.query({ type: "request" });
      expect(requests.map((entry) => entry.message)).toContain(
        `POST /api/client/v2.0/app/${second.appId}/auth/providers/anon-user/login 200`,
      );
    } finally {
      await second.close();
    }
  });

  it("stops start-up on a broken app export with a ConfigError naming the file", async () => {
    const error = await AtollServer.start({
      appDir: path.join(dir, "no-such-app"),
      port: 0,
      logLevel: "silent",
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
  });

  it("fails to start on a port in use, and the running server keeps serving", async () => {
    const running = await start("memory");
    try {
      const port = Number(new URL(running.url).port);
      await expect(
        AtollServer.start({ appDir: TEST_APP_DIR, port, storage: "memory", logLevel: "silent" }),
      ).rejects.toMatchObject({ code: "EADDRINUSE" });
      expect(
        (await fetch(`${running.url}/api/client/v2.0/app/${running.appId}/location`)).status,
      ).toBe(200);
    } finally {
      await running.close();
    }
  });

  it("closes while a watch stream is open", async () => {
    const server = await start("memory");
    const login = (await (
      await post(
        `${server.url}/api/client/v2.0/app/${server.appId}/auth/providers/anon-user/login`,
        {},
      )
    ).json()) as { access_token: string };
    const request = Buffer.from(
      JSON.stringify({
        service: "mongodb-atlas",
        name: "watch",
        arguments: [{ database: "cars-db", collection: "Car" }],
      }),
    ).toString("base64");
    const stream = await fetch(
      `${server.url}/api/client/v2.0/app/${server.appId}/functions/call?baas_request=${encodeURIComponent(request)}&baas_at=${login.access_token}`,
    );
    expect(stream.status).toBe(200);
    await server.close();
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    // The stream ends (or breaks) instead of hanging once the server is gone.
    await reader
      .read()
      .then(async function drain(result): Promise<void> {
        if (!result.done) await drain(await reader.read());
      })
      .catch(() => undefined);
  });
});

/**
 * Server API keys from the operator's command line: `atoll api-keys create` prints a key that
 * logs in through the `api-key` provider as a user of type "server" (the same user every time),
 * `list` shows it, and `delete` ends it with its user, while a server runs on the same store.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { writeApp } from "../config/test-support/appFixture.js";
import { runCli } from "./test-support/cliProcess.js";

let app: { dir: string; remove: () => Promise<void> };
let work: string;
let server: AtollServer;
let storeArgs: string[];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "atoll-keys-"));
  app = await writeApp({
    "auth/providers.json": {
      "anon-user": { name: "anon-user", type: "anon-user", disabled: false },
      "api-key": { name: "api-key", type: "api-key", disabled: false },
    },
  });
  const storage = `sqlite:${path.join(work, "app.db")}`;
  storeArgs = ["--app", app.dir, "--storage", storage];
  server = await AtollServer.start({ appDir: app.dir, port: 0, storage, logLevel: "silent" });
});
afterAll(async () => {
  await server?.close();
  await app?.remove();
  await rm(work, { recursive: true, force: true });
});

async function keyLogin(key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(
    `${server.url}/api/client/v2.0/app/${server.appId}/auth/providers/api-key/login`,
    {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ key }),
    },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("atoll api-keys", () => {
  it("creates a server key that logs in as a server user, lists it, and deletes it with its user", async () => {
    const created = await runCli(["api-keys", "create", "--name", "ci-bot", ...storeArgs]);
    expect(created.code).toBe(0);
    const [header = "", key = ""] = created.stdout.trim().split("\n");
    const keyId = header.split(/\s+/)[0] ?? "";
    expect(header).toMatch(/^[0-9a-f]{24} {2}ci-bot$/);

    const first = await keyLogin(key);
    expect(first.status).toBe(200);
    const again = await keyLogin(key);
    expect(again.body.user_id).toBe(first.body.user_id);
    const profile = (await (
      await fetch(`${server.url}/api/client/v2.0/auth/profile`, {
        headers: { Authorization: `Bearer ${String(first.body.access_token)}` },
      })
    ).json()) as Record<string, unknown>;
    expect(profile).toMatchObject({ type: "server", data: { name: "ci-bot" } });

    const listed = await runCli(["api-keys", "list", ...storeArgs]);
    expect(listed.stdout).toBe(`${keyId}  enabled   ci-bot\n`);

    const deleted = await runCli(["api-keys", "delete", keyId, ...storeArgs]);
    expect(deleted.code).toBe(0);
    expect((await keyLogin(key)).status).toBe(401);
    const stale = await fetch(`${server.url}/api/client/v2.0/auth/profile`, {
      headers: { Authorization: `Bearer ${String(first.body.access_token)}` },
    });
    expect(stale.status).toBe(401);
  });
});

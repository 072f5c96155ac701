/**
 * `X-Forwarded-*` over real HTTP: ignored unless the server is told a proxy stands in front
 * (`trustProxy`); believed then, but only when each value has the shape it must have.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { RawClient, type Login } from "./test-support/rawClient.js";
import { TEST_APP_DIR } from "./test-support/standInServer.js";

interface Started {
  readonly server: AtollServer;
  readonly client: RawClient;
  readonly login: Login;
}

async function start(trustProxy: boolean): Promise<Started> {
  const server = await AtollServer.start({
    appDir: TEST_APP_DIR,
    port: 0,
    storage: "memory",
    logLevel: "silent",
    trustProxy,
  });
  const client = new RawClient({ api: `${server.url}/api/client/v2.0`, appId: server.appId });
  return { server, client, login: await client.anonymousLogin() };
}

let direct: Started;
let proxied: Started;
beforeAll(async () => {
  direct = await start(false);
  proxied = await start(true);
});
afterAll(async () => {
  await direct.server.close();
  await proxied.server.close();
});

async function location(
  { client }: Started,
  headers: Record<string, string>,
): Promise<{ hostname: string; ws_hostname: string; sync_route: string }> {
  const response = await client.call(client.appPath("/location"), { headers });
  expect(response.status).toBe(200);
  return response.body as { hostname: string; ws_hostname: string; sync_route: string };
}

async function clientAddress({ client, login }: Started, forwardedFor: string): Promise<unknown> {
  const response = await client.call(client.appPath("/functions/call"), {
    method: "POST",
    token: login.access_token,
    headers: { "X-Forwarded-For": forwardedFor },
    body: JSON.stringify({ name: "clientAddress", arguments: [] }),
  });
  expect(response.status).toBe(200);
  return response.body;
}

const FORWARDED = { "X-Forwarded-Host": "atoll.example.com", "X-Forwarded-Proto": "https" };

describe("without --trust-proxy", () => {
  it("reports the address the client connected to, whatever X-Forwarded-* says", async () => {
    const url = direct.server.url;
    expect(await location(direct, FORWARDED)).toEqual(
      expect.objectContaining({
        hostname: url,
        ws_hostname: url.replace(/^http/, "ws"),
        sync_route: `${url.replace(/^http/, "ws")}/api/client/v2.0/app/${direct.server.appId}/realm-sync`,
      }),
    );
  });

  it("gives functions the connection's peer address, not X-Forwarded-For", async () => {
    expect(await clientAddress(direct, "203.0.113.9")).toBe("127.0.0.1");
  });
});

describe("with --trust-proxy", () => {
  it("reports the proxy's public host and protocol", async () => {
    expect(await location(proxied, FORWARDED)).toEqual(
      expect.objectContaining({
        hostname: "https://atoll.example.com",
        ws_hostname: "wss://atoll.example.com",
        sync_route: `wss://atoll.example.com/api/client/v2.0/app/${proxied.server.appId}/realm-sync`,
      }),
    );
    expect(
      await location(proxied, { "X-Forwarded-Host": "[2001:db8::1]:8443, inner.example" }),
    ).toEqual(expect.objectContaining({ hostname: "http://[2001:db8::1]:8443" }));
  });

  it("ignores forwarded values that are not a host[:port] or http/https", async () => {
    const own = proxied.server.url;
    for (const host of [
      "evil.example/path",
      "evil example",
      "evil.example:99999",
      "evil.example:0",
      "user@evil.example",
      "-evil.example",
      `${"a".repeat(300)}.example`,
    ]) {
      expect((await location(proxied, { "X-Forwarded-Host": host })).hostname).toBe(own);
    }
    for (const proto of ["javascript", "https://x", "ftp"]) {
      expect((await location(proxied, { "X-Forwarded-Proto": proto })).hostname).toBe(own);
    }
  });

  it("gives functions the address the proxy saw (the last X-Forwarded-For entry)", async () => {
    expect(await clientAddress(proxied, "198.51.100.1, 203.0.113.9")).toBe("203.0.113.9");
    expect(await clientAddress(proxied, "2001:db8::7")).toBe("2001:db8::7");
    expect(await clientAddress(proxied, "203.0.113.9, not-an-address")).toBe("127.0.0.1");
  });
});

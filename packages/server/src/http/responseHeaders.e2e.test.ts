/**
 * Every response carries its own headers: a refused origin's small 403 must not leave its
 * `Content-Length` (or anything else) on the responses that follow, whatever their size.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawClient } from "./test-support/rawClient.js";
import { startStandInServer, type StandInServer } from "./test-support/standInServer.js";

let server: StandInServer;
let client: RawClient;
beforeAll(async () => {
  server = await startStandInServer({ allowedRequestOrigins: ["https://allowed.example"] });
  client = new RawClient(server);
});
afterAll(() => server.close());

/** The response's body as the bytes on the wire, checked against its declared length. */
async function completeJson(response: Response): Promise<unknown> {
  const bytes = Buffer.from(await response.arrayBuffer());
  expect(response.headers.get("content-length")).toBe(String(bytes.length));
  return JSON.parse(bytes.toString("utf8")) as unknown;
}

describe("response headers", () => {
  it("keeps answering with complete bodies after a request from a forbidden origin", async () => {
    const login = await client.anonymousLogin();
    const forbidden = await fetch(`${server.api}${client.appPath("/location")}`, {
      headers: { Origin: "https://evil.example" },
    });
    expect(forbidden.status).toBe(403);
    expect(await completeJson(forbidden)).toMatchObject({ error_code: "DomainNotAllowed" });

    const preflight = await fetch(`${server.api}${client.appPath("/functions/call")}`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://allowed.example",
        "Access-Control-Request-Method": "POST",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://allowed.example");

    for (const size of [1, 200, 5_000, 100_000]) {
      const name = `missing${"x".repeat(size)}`;
      const response = await fetch(`${server.api}${client.appPath("/functions/call")}`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${login.access_token}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ name, arguments: [] }),
      });
      expect(response.status).toBe(404);
      expect(await completeJson(response)).toMatchObject({
        error_code: "FunctionNotFound",
        error: `function not found: '${name}'`,
      });
    }
    const sum = await fetch(`${server.api}${client.appPath("/functions/call")}`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${login.access_token}`,
        "Content-Type": "application/json",
        Origin: "https://allowed.example",
      },
      body: JSON.stringify({ name: "sum", arguments: [1, 2] }),
    });
    expect(sum.headers.get("access-control-allow-origin")).toBe("https://allowed.example");
    expect(await completeJson(sum)).toEqual({ $numberInt: "3" });
    const location = await fetch(`${server.api}${client.appPath("/location")}`);
    expect(await completeJson(location)).toMatchObject({ hostname: server.url });
  });
});

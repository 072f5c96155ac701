/**
 * `context.http` through the real sandbox against a local HTTP server: off unless the
 * operator allows hosts; an allowed host is reached with App Services' argument and result
 * shapes; another name for the same server, a redirect to a host not allowed and a response
 * over the size bound are refused.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { writeApp } from "../config/test-support/appFixture.js";

const APP = {
  "functions/config.json": [{ name: "postJson" }, { name: "tryGet" }, { name: "postForm" }],
  "functions/postForm.js": `exports = async function (url) {
  const response = await context.http.post({ url, form: { a: "1 2", b: ["x", "y"] }, username: "ada", password: "pw", cookies: { s: "c" } });
  return JSON.parse(response.body.text());
};`,
  "functions/postJson.js": `exports = async function (url) {
  const response = await context.http.post({ url, headers: { "X-Test": ["yes"] }, body: { hello: "world" }, encodeBodyAsJSON: true });
  return { statusCode: response.statusCode, type: response.headers["Content-Type"], echoed: JSON.parse(response.body.text()) };
};`,
  "functions/tryGet.js": `exports = async function (url) {
  try { const response = await context.http.get({ url, followRedirects: true }); return response.body.text(); }
  catch (error) { return error.message; }
};`,
};

async function readBody(request: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of request) text += String(chunk);
  return text;
}

const upstream = createServer((request, response) => {
  void readBody(request).then((body) => {
    if (request.url === "/big") {
      response.end("x".repeat(4096));
    } else if (request.url === "/away") {
      response.writeHead(302, { Location: `http://localhost:${port()}/echo` }).end();
    } else {
      response.writeHead(200, { "Content-Type": "application/json" });
      const { authorization, cookie } = request.headers;
      const type = request.headers["content-type"];
      response.end(
        JSON.stringify({
          method: request.method,
          header: request.headers["x-test"],
          body,
          ...(authorization === undefined ? {} : { authorization, cookie, type }),
        }),
      );
    }
  });
});
const port = () => (upstream.address() as AddressInfo).port;

let app: { dir: string; remove: () => Promise<void> };
const servers: AtollServer[] = [];

async function start(
  allowedHosts?: string[],
): Promise<(name: string, args: unknown[]) => Promise<unknown>> {
  const server = await AtollServer.start({
    appDir: app.dir,
    port: 0,
    storage: "memory",
    logLevel: "silent",
    ...(allowedHosts === undefined
      ? {}
      : { functionsHttp: { allowedHosts, maxResponseBytes: 1024 } }),
  });
  servers.push(server);
  const api = `${server.url}/api/client/v2.0/app/${server.appId}`;
  const login = (await (
    await fetch(`${api}/auth/providers/anon-user/login`, { method: "POST", body: "{}" })
  ).json()) as { access_token: string };
  return async (name, args) => {
    const response = await fetch(`${api}/functions/call`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${login.access_token}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ name, arguments: args }),
    });
    const body: unknown = await response.json();
    expect({ status: response.status, body }).toEqual({ status: 200, body });
    return body;
  };
}

beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  app = await writeApp(APP);
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await app?.remove();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

describe("context.http", () => {
  it("is off unless the operator allows hosts", async () => {
    const call = await start();
    expect(await call("tryGet", [`http://127.0.0.1:${port()}/echo`])).toContain(
      "context.http is off",
    );
  });

  it("reaches an allowed host and refuses other names, redirects elsewhere and oversized answers", async () => {
    const call = await start([`127.0.0.1:${port()}`]);
    expect(await call("postJson", [`http://127.0.0.1:${port()}/echo`])).toEqual({
      statusCode: { $numberInt: "200" },
      type: ["application/json"],
      echoed: { method: "POST", header: "yes", body: '{"hello":"world"}' },
    });
    expect(await call("postForm", [`http://127.0.0.1:${port()}/echo`])).toEqual({
      method: "POST",
      body: "a=1%202&b=x&b=y",
      authorization: `Basic ${Buffer.from("ada:pw").toString("base64")}`,
      cookie: "s=c",
      type: "application/x-www-form-urlencoded",
    });
    expect(await call("tryGet", [`http://localhost:${port()}/echo`])).toContain(
      `host 'localhost:${port()}' is not allowed`,
    );
    expect(await call("tryGet", [`http://127.0.0.1:${port()}/away`])).toContain("is not allowed");
    expect(await call("tryGet", [`http://127.0.0.1:${port()}/big`])).toContain(
      "larger than 1024 bytes",
    );
  });
});

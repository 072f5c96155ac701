/**
 * HTTPS endpoints over real HTTP with the real sandbox and data layer: a webhook signed with
 * HMAC-SHA256 runs and writes, a bad signature is refused before the function runs, a secret
 * in the query is checked, "Application" authentication needs credentials, and the answer
 * follows `respond_result`, the method and the disabled flag.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { writeApp } from "../config/test-support/appFixture.js";

const SECRET = "whsec-test-secret";
const BODY_LIMIT = 64 * 1024;

const APP = {
  "root_config.json": { name: "hooks" },
  "secrets.json": { webhookSecret: SECRET },
  "auth/providers.json": {
    "anon-user": { name: "anon-user", type: "anon-user", disabled: false },
  },
  "data_sources/mongodb-atlas/config.json": {
    name: "mongodb-atlas",
    type: "mongodb-atlas",
    config: {},
  },
  "data_sources/mongodb-atlas/default_rule.json": {
    roles: [
      {
        name: "all",
        apply_when: {},
        document_filters: { read: true, write: true },
        read: true,
        write: true,
        insert: true,
        delete: true,
      },
    ],
  },
  "functions/config.json": [
    { name: "onWebhook", private: true, run_as_system: true },
    { name: "whoAmI", private: true },
  ],
  "functions/onWebhook.js": `exports = async function (request, response) {
  const payload = JSON.parse(request.body.text());
  await context.services.get("mongodb-atlas").db("hooks").collection("events").insertOne({ kind: payload.kind });
  response.setStatusCode(201);
  response.addHeader("Content-Type", "application/json");
  response.setBody(JSON.stringify({ received: payload.kind, query: request.query }));
};`,
  "functions/whoAmI.js": `exports = function (request, response) {
  return { id: context.user.id, method: context.request.httpMethod, page: request.query.page };
};`,
  "https_endpoints/config.json": [
    {
      route: "/signed",
      http_method: "POST",
      function_name: "onWebhook",
      validation_method: "VERIFY_PAYLOAD",
      secret_name: "webhookSecret",
      respond_result: true,
    },
    {
      route: "/query-secret",
      http_method: "*",
      function_name: "onWebhook",
      validation_method: "SECRET_AS_QUERY_PARAM",
      secret_name: "webhookSecret",
      respond_result: true,
    },
    { route: "/me", http_method: "GET", function_name: "whoAmI", respond_result: true },
    { route: "/quiet", http_method: "POST", function_name: "onWebhook", respond_result: false },
    { route: "/off", http_method: "GET", function_name: "whoAmI", disabled: true },
  ],
};

let app: { dir: string; remove: () => Promise<void> };
let server: AtollServer;

beforeAll(async () => {
  app = await writeApp(APP, {});
  server = await AtollServer.start({
    appDir: app.dir,
    port: 0,
    storage: "memory",
    logLevel: "silent",
    functionTimeoutMs: 10_000,
    bodyLimitBytes: BODY_LIMIT,
  });
});
afterAll(async () => {
  await server?.close();
  await app?.remove();
});

function endpoint(route: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}/app/${server.appId}/endpoint${route}`, init);
}

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

async function eventKinds(): Promise<unknown[]> {
  const events = await server.data.system().db("hooks").collection("events").find({});
  return events.map((event) => event.kind);
}

describe("HTTPS endpoints", () => {
  it("runs a webhook whose payload signature verifies, answering with what the function set", async () => {
    const body = JSON.stringify({ kind: "signed-push" });
    const response = await endpoint("/signed?page=2&$date=soon", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Endpoint-Signature": sign(body) },
      body,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({
      received: "signed-push",
      query: { page: "2", $date: "soon" },
    });
    expect(await eventKinds()).toContain("signed-push");
  });

  it("refuses a payload signed with another secret, or not signed, before the function runs", async () => {
    const body = JSON.stringify({ kind: "forged" });
    const attempts: Record<string, string>[] = [
      { "Endpoint-Signature": sign(body, "not-the-secret") },
      {},
    ];
    for (const headers of attempts) {
      const response = await endpoint("/signed", { method: "POST", headers, body });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        error_code: "AuthError",
        error: "invalid signature",
      });
    }
    expect(await eventKinds()).not.toContain("forged");
  });

  it("checks a secret sent as the query parameter, and does not pass it on", async () => {
    const body = JSON.stringify({ kind: "by-query" });
    const wrong = await endpoint("/query-secret?secret=guess", { method: "PUT", body });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error_code: "AuthError", error: "invalid secret" });
    const right = await endpoint(`/query-secret?secret=${SECRET}&x=1`, { method: "PUT", body });
    expect(right.status).toBe(201);
    expect(await right.json()).toEqual({ received: "by-query", query: { x: "1" } });
  });

  it("asks application-authenticated endpoints for credentials and runs them as that user", async () => {
    const anonymous = await endpoint("/me");
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error_code: "AuthError" });
    const login = (await (
      await fetch(
        `${server.url}/api/client/v2.0/app/${server.appId}/auth/providers/anon-user/login`,
        {
          method: "POST",
          body: "{}",
        },
      )
    ).json()) as { access_token: string; user_id: string };
    const me = await endpoint("/me?page=7", {
      headers: { Authorization: `Bearer ${login.access_token}` },
    });
    expect(me.status).toBe(200);
    expect(me.headers.get("content-type")).toBe("application/json");
    expect(await me.json()).toEqual({ id: login.user_id, method: "GET", page: "7" });
  });

  it("answers 204 without respond_result, 405 for another method, 404 when disabled or unknown", async () => {
    const body = JSON.stringify({ kind: "quiet" });
    const quiet = await endpoint("/quiet", { method: "POST", body });
    expect(quiet.status).toBe(204);
    expect(await quiet.text()).toBe("");
    expect(await eventKinds()).toContain("quiet");
    const wrongMethod = await endpoint("/quiet", { method: "GET" });
    expect(wrongMethod.status).toBe(405);
    expect((await endpoint("/off")).status).toBe(404);
    expect((await endpoint("/nowhere")).status).toBe(404);
  });

  it("bounds bodies like every other route: 413 over the limit, before validation", async () => {
    const body = JSON.stringify({ kind: "x".repeat(BODY_LIMIT) });
    const response = await endpoint("/signed", {
      method: "POST",
      headers: { "Endpoint-Signature": sign(body) },
      body,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error_code: "PayloadTooLarge" });
  });
});

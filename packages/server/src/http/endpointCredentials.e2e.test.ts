/**
 * "Application" authentication of HTTPS endpoints, over real HTTP: the credential headers App
 * Services reads (email and password, apiKey, jwtTokenString), `create_user_on_auth` for a
 * custom JWT, `fetch_custom_user_data`, and failed credentials counted by the login throttle.
 */
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { parseAuthThrottle } from "../auth/AuthThrottle.js";
import { writeApp } from "../config/test-support/appFixture.js";

const JWT_KEY = "a-custom-jwt-signing-key-of-32-bytes!";

const APP = {
  "secrets.json": { jwtKey: JWT_KEY },
  "auth/providers.json": {
    "local-userpass": {
      name: "local-userpass",
      type: "local-userpass",
      config: { autoConfirm: true, resetPasswordUrl: "https://example.com/reset" },
    },
    "api-key": { name: "api-key", type: "api-key" },
    "custom-token": {
      name: "custom-token",
      type: "custom-token",
      config: { signingAlgorithm: "HS256" },
      secret_config: { signingKeys: ["jwtKey"] },
    },
  },
  "auth/custom_user_data.json": {
    enabled: true,
    mongo_service_name: "mongodb-atlas",
    database_name: "app",
    collection_name: "profiles",
    user_id_field: "userId",
  },
  "functions/config.json": [{ name: "whoAmI", private: true }],
  "functions/whoAmI.js": `exports = function () {
  return { id: context.user.id, plan: context.user.custom_data.plan ?? null };
};`,
  "https_endpoints/config.json": [
    { route: "/me", http_method: "GET", function_name: "whoAmI", respond_result: true },
    {
      route: "/me/fresh",
      http_method: "GET",
      function_name: "whoAmI",
      respond_result: true,
      fetch_custom_user_data: true,
    },
    {
      route: "/me/new",
      http_method: "GET",
      function_name: "whoAmI",
      respond_result: true,
      create_user_on_auth: true,
    },
  ],
};

let app: { dir: string; remove: () => Promise<void> };
let server: AtollServer;
let api: string;

beforeAll(async () => {
  app = await writeApp(APP);
  server = await AtollServer.start({
    appDir: app.dir,
    port: 0,
    storage: "memory",
    logLevel: "silent",
    authThrottle: { limits: parseAuthThrottle("login=2/15m") },
  });
  api = `${server.url}/api/client/v2.0`;
});
afterAll(async () => {
  await server?.close();
  await app?.remove();
});

async function post(path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${api}${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
}

async function me(
  route: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}/app/${server.appId}/endpoint${route}`, { headers });
  return { status: response.status, body: await response.json() };
}

function customJwt(sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub, iat: now, exp: now + 600 })
    .setProtectedHeader({ alg: "HS256" })
    .sign(new TextEncoder().encode(JWT_KEY));
}

describe("endpoint credentials", () => {
  it("lets a browser send them: CORS preflights allow the credential and signature headers", async () => {
    const requested = ["apikey", "email", "password", "jwttokenstring", "endpoint-signature"];
    const response = await fetch(`${server.url}/app/${server.appId}/endpoint/me`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example.org",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": requested.join(","),
      },
    });
    expect(response.status).toBe(204);
    const allowed = (response.headers.get("access-control-allow-headers") ?? "")
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(requested));
  });

  it("takes email and password headers and an apiKey header, reading custom data only when asked", async () => {
    const credentials = { email: "grace@example.com", password: "hopper-1906" };
    await post(`/app/${server.appId}/auth/providers/local-userpass/register`, credentials);
    const login = await post(`/app/${server.appId}/auth/providers/local-userpass/login`, {
      username: credentials.email,
      password: credentials.password,
    });
    const userId = String(login.user_id);
    await server.data.system().db("app").collection("profiles").insertOne({ userId, plan: "pro" });

    expect(await me("/me", credentials)).toEqual({ status: 200, body: { id: userId, plan: null } });
    expect(await me("/me/fresh", credentials)).toEqual({
      status: 200,
      body: { id: userId, plan: "pro" },
    });

    const key = await post("/auth/api_keys", { name: "endpoint" }, String(login.refresh_token));
    expect(typeof key.key).toBe("string");
    expect(await me("/me", { apiKey: String(key.key) })).toEqual({
      status: 200,
      body: { id: userId, plan: null },
    });
  });

  it("creates a user for a new custom JWT only where create_user_on_auth is set", async () => {
    const token = await customJwt("external-42");
    const refused = await me("/me", { jwtTokenString: token });
    expect(refused.status).toBe(401);
    const created = await me("/me/new", { jwtTokenString: token });
    expect(created.status).toBe(200);
    expect(await me("/me", { jwtTokenString: token })).toEqual(created);
  });

  it("counts wrong passwords against the login throttle", async () => {
    const wrong = { email: "nobody@example.com", password: "not-the-password" };
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) statuses.push((await me("/me", wrong)).status);
    expect(statuses).toEqual([401, 401, 429]);
  });
});

/**
 * The HTTP API's wire behaviour over real HTTP, with stand-ins for the data layer and the
 * sandbox: status codes, `error_code`s, exact content types, tokens (expired with mocked
 * time, forged, revoked), API keys, CORS, body limit; and after every failure the server
 * keeps answering.
 */
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startStandInServer } from "./test-support/standInServer.js";
import type { StandInServer } from "./test-support/standInServer.js";

let server: StandInServer;

beforeAll(async () => {
  server = await startStandInServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  vi.useRealTimers();
});

interface Login {
  access_token: string;
  refresh_token: string;
  user_id: string;
  device_id: string;
}

async function call(path: string, init: RequestInit & { token?: string } = {}): Promise<{ status: number; type: string | null; body: unknown }> {
  const headers = new Headers(init.headers);
  if (init.token !== undefined) headers.set("Authorization", `Bearer ${init.token}`);
  if (typeof init.body === "string") headers.set("Content-Type", "application/json");
  const response = await fetch(`${server.api}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type"), body: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

const appPath = (suffix: string) => `/app/${server.appId}${suffix}`;

async function anonymousLogin(): Promise<Login> {
  const result = await call(appPath("/auth/providers/anon-user/login"), { method: "POST", body: JSON.stringify({ options: { device: { platform: "node" } } }) });
  expect(result.status).toBe(200);
  return result.body as Login;
}

function callFunction(token: string, name: string, args: unknown[] = []) {
  return call(appPath("/functions/call"), { method: "POST", token, body: JSON.stringify({ name, arguments: args }) });
}

async function expectStillServing(): Promise<void> {
  const location = await call(appPath("/location"));
  expect(location.status).toBe(200);
}

function claimsOf(jwt: string): Record<string, unknown> {
  const [, payload] = jwt.split(".");
  return JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("location and routing", () => {
  it("answers the location request with host names that point back at this server", async () => {
    const result = await call(appPath("/location"));
    expect(result.status).toBe(200);
    expect(result.type).toBe("application/json");
    const host = server.url.replace(/^http:\/\//, "");
    expect(result.body).toEqual({
      deployment_model: "GLOBAL",
      location: "US-VA",
      hostname: `http://${host}`,
      ws_hostname: `ws://${host}`,
      sync_route: `ws://${host}/api/client/v2.0/app/${server.appId}/realm-sync`,
    });
  });

  it("answers unknown routes and unknown apps with JSON 404s", async () => {
    const unknownRoute = await call("/nowhere/at/all");
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.type).toBe("application/json");
    expect(unknownRoute.body).toMatchObject({ error_code: "NotFound" });
    const unknownApp = await call("/app/some-other-app/location");
    expect(unknownApp.status).toBe(404);
    expect(unknownApp.body).toMatchObject({ error_code: "AppNotFound", link: "" });
  });

  it("answers CORS preflights for any origin, allowing the Authorization header", async () => {
    const response = await fetch(`${server.api}${appPath("/functions/call")}`, {
      method: "OPTIONS",
      headers: { Origin: "https://app.example.org", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.org");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
  });
});

describe("logging in", () => {
  it("issues tokens whose claims App Services clients decode", async () => {
    const login = await anonymousLogin();
    expect(login.user_id).toMatch(/^[0-9a-f]{24}$/);
    expect(login.device_id).toMatch(/^[0-9a-f]{24}$/);
    const claims = claimsOf(login.access_token);
    expect(claims).toMatchObject({ sub: login.user_id, typ: "access", baas_device_id: login.device_id, user_data: {} });
    expect(Number.isInteger(claims.exp) && Number.isInteger(claims.iat)).toBe(true);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(30 * 60);
    expect(claimsOf(login.refresh_token)).toMatchObject({ sub: login.user_id, typ: "refresh" });
  });

  it("keeps the device id a client sends back", async () => {
    const first = await anonymousLogin();
    const again = await call(appPath("/auth/providers/anon-user/login"), {
      method: "POST",
      body: JSON.stringify({ options: { device: { deviceId: { $oid: first.device_id } } } }),
    });
    expect((again.body as Login).device_id).toBe(first.device_id);
  });

  it("returns the profile with identities and the App Services field names", async () => {
    const login = await anonymousLogin();
    const profile = await call("/auth/profile", { token: login.access_token });
    expect(profile.status).toBe(200);
    expect(profile.type).toBe("application/json");
    expect(profile.body).toMatchObject({ user_id: login.user_id, type: "normal", data: {}, identities: [{ provider_type: "anon-user", provider_id: "anon-user" }] });
  });

  it("rejects malformed JSON and malformed EJSON with BadRequest, then keeps serving", async () => {
    const malformedJson = await call(appPath("/auth/providers/anon-user/login"), { method: "POST", body: "{not json" });
    expect(malformedJson.status).toBe(400);
    expect(malformedJson.type).toBe("application/json");
    expect(malformedJson.body).toMatchObject({ error_code: "BadRequest" });
    const login = await anonymousLogin();
    const malformedEjson = await call(appPath("/functions/call"), {
      method: "POST",
      token: login.access_token,
      body: JSON.stringify({ name: "sum", arguments: [{ $numberInt: "twelve" }, { $oid: "nope" }] }),
    });
    expect(malformedEjson.status).toBe(400);
    expect(malformedEjson.body).toMatchObject({ error_code: "BadRequest" });
    const notAnObject = await call(appPath("/functions/call"), { method: "POST", token: login.access_token, body: "[1,2]" });
    expect(notAnObject.body).toMatchObject({ error_code: "BadRequest" });
    await expectStillServing();
  });

  it("refuses unknown and disabled providers with AuthProviderNotFound", async () => {
    const result = await call(appPath("/auth/providers/oauth2-google/login"), { method: "POST", body: "{}" });
    expect(result.status).toBe(404);
    expect(result.body).toMatchObject({ error_code: "AuthProviderNotFound" });
  });
});

describe("tokens", () => {
  it("answers a missing, garbled or forged access token with 401 InvalidSession", async () => {
    const missing = await call(appPath("/functions/call"), { method: "POST", body: JSON.stringify({ name: "sum", arguments: [] }) });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error_code: "InvalidSession" });
    const garbled = await callFunction("not-a-jwt", "sum");
    expect(garbled.status).toBe(401);
    expect(garbled.body).toMatchObject({ error_code: "InvalidSession" });
    const login = await anonymousLogin();
    const forged = await new SignJWT({ ...claimsOf(login.access_token) })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("somebody-else's-key-somebody-else's-key"));
    const forgedResult = await callFunction(forged, "sum", [1, 2]);
    expect(forgedResult.status).toBe(401);
    expect(forgedResult.body).toMatchObject({ error_code: "InvalidSession" });
    await expectStillServing();
  });

  it("expires access tokens after 30 minutes; the refresh token then gets a fresh one", async () => {
    const login = await anonymousLogin();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31 * 60 * 1000);
    const expired = await callFunction(login.access_token, "sum", [1, 2]);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: "invalid session: access token expired", error_code: "InvalidSession", link: "" });
    const refreshed = await call("/auth/session", { method: "POST", token: login.refresh_token });
    expect(refreshed.status).toBe(201);
    const { access_token } = refreshed.body as { access_token: string };
    const retried = await callFunction(access_token, "sum", [1, 2]);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ $numberInt: "3" });
  });

  it("does not accept an access token where a refresh token belongs", async () => {
    const login = await anonymousLogin();
    const result = await call("/auth/session", { method: "POST", token: login.access_token });
    expect(result.status).toBe(401);
    expect(result.body).toMatchObject({ error_code: "InvalidSession", error: "invalid refresh token: incorrect token type" });
  });

  it("revokes the session on logout: its refresh and access tokens stop working", async () => {
    const login = await anonymousLogin();
    const logout = await call("/auth/session", { method: "DELETE", token: login.refresh_token });
    expect(logout.status).toBe(204);
    expect(logout.type).toBeNull();
    const refresh = await call("/auth/session", { method: "POST", token: login.refresh_token });
    expect(refresh.status).toBe(401);
    expect(refresh.body).toMatchObject({ error_code: "InvalidSession", error: "invalid session: failed to find refresh token" });
    const access = await call("/auth/profile", { token: login.access_token });
    expect(access.status).toBe(401);
    expect(access.body).toMatchObject({ error_code: "InvalidSession" });
    await expectStillServing();
  });

  it("answers a disabled user with 401 UserDisabled, and lets them back once re-enabled", async () => {
    const login = await anonymousLogin();
    await server.auth.users.setDisabled(login.user_id, true);
    const profile = await call("/auth/profile", { token: login.access_token });
    expect(profile.status).toBe(401);
    expect(profile.body).toMatchObject({ error_code: "UserDisabled" });
    const refresh = await call("/auth/session", { method: "POST", token: login.refresh_token });
    expect(refresh.body).toMatchObject({ error_code: "UserDisabled" });
    await server.auth.users.setDisabled(login.user_id, false);
    expect((await call("/auth/profile", { token: login.access_token })).status).toBe(200);
  });

  it("refuses to log a disabled user in", async () => {
    const token = await new SignJWT({ email: "off@example.com", aud: "atoll-http-test" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("soon-disabled")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("a-shared-secret-for-custom-jwt-tests-0123456789"));
    const login = (await call(appPath("/auth/providers/custom-token/login"), { method: "POST", body: JSON.stringify({ token }) })).body as Login;
    await server.auth.users.setDisabled(login.user_id, true);
    const again = await call(appPath("/auth/providers/custom-token/login"), { method: "POST", body: JSON.stringify({ token }) });
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ error_code: "UserDisabled" });
  });

  it("deletes a user with all its sessions", async () => {
    const login = await anonymousLogin();
    const deleted = await call("/auth/delete", { method: "DELETE", token: login.access_token });
    expect(deleted.status).toBe(204);
    expect((await call("/auth/profile", { token: login.access_token })).status).toBe(401);
    expect((await call("/auth/session", { method: "POST", token: login.refresh_token })).body).toMatchObject({ error_code: "InvalidSession" });
  });
});

describe("functions/call", () => {
  it("takes and returns canonical EJSON, with null for undefined", async () => {
    const login = await anonymousLogin();
    const sum = await callFunction(login.access_token, "sum", [{ $numberInt: "2" }, { $numberDouble: "0.5" }]);
    expect(sum.status).toBe(200);
    expect(sum.type).toBe("application/json");
    expect(sum.body).toEqual({ $numberDouble: "2.5" });
    const nothing = await callFunction(login.access_token, "onUserCreation");
    expect(nothing.body).toMatchObject({ error_code: "FunctionNotFound" });
  });

  it("answers unknown and private functions with 404 FunctionNotFound, a throw with its message", async () => {
    const login = await anonymousLogin();
    const unknown = await callFunction(login.access_token, "noSuchFunction");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error_code: "FunctionNotFound" });
    const hidden = await callFunction(login.access_token, "secretRecipe");
    expect(hidden.status).toBe(404);
    expect(hidden.body).toMatchObject({ error_code: "FunctionNotFound" });
    const thrown = await callFunction(login.access_token, "boom");
    expect(thrown.status).toBe(400);
    expect(thrown.body).toMatchObject({ error_code: "FunctionExecutionError", error: "boom: the function failed on purpose" });
    await expectStillServing();
  });

  it("refuses a body over the limit with 413 PayloadTooLarge and keeps serving", async () => {
    const login = await anonymousLogin();
    const huge = JSON.stringify({ name: "sum", arguments: ["x".repeat(19 * 1024 * 1024)] });
    const result = await call(appPath("/functions/call"), { method: "POST", token: login.access_token, body: huge });
    expect(result.status).toBe(413);
    expect(result.type).toBe("application/json");
    expect(result.body).toMatchObject({ error_code: "PayloadTooLarge" });
    await expectStillServing();
  });

  it("types service results as realm-core reads them: Int32 write counts, Int64 count", async () => {
    const login = await anonymousLogin();
    const action = (name: string, extra: Record<string, unknown>) =>
      call(appPath("/functions/call"), {
        method: "POST",
        token: login.access_token,
        body: JSON.stringify({ service: "mongodb-atlas", name, arguments: [{ database: "typed", collection: "counts", ...extra }] }),
      });
    expect((await action("insertOne", { document: { _id: "a", n: { $numberInt: "1" } } })).body).toEqual({ insertedId: "a" });
    expect((await action("count", { query: {} })).body).toEqual({ $numberLong: "1" });
    expect((await action("updateOne", { query: { _id: "a" }, update: { $set: { n: 2 } } })).body).toEqual({
      matchedCount: { $numberInt: "1" },
      modifiedCount: { $numberInt: "1" },
    });
    expect((await action("findOne", { query: { _id: "a" } })).body).toEqual({ _id: "a", n: { $numberInt: "2" } });
    expect((await action("deleteMany", { query: {} })).body).toEqual({ deletedCount: { $numberInt: "1" } });
    expect((await action("findOne", { query: { _id: "a" } })).body).toBeNull();
    const badLimit = await action("find", { query: {}, limit: "ten" });
    expect(badLimit.body).toMatchObject({ error_code: "InvalidParameter" });
  });

  it("refuses unknown services and unknown service actions", async () => {
    const login = await anonymousLogin();
    const body = (service: string, name: string) => JSON.stringify({ service, name, arguments: [{ database: "d", collection: "c" }] });
    const service = await call(appPath("/functions/call"), { method: "POST", token: login.access_token, body: body("no-such-service", "find") });
    expect(service.body).toMatchObject({ error_code: "ServiceNotFound" });
    const action = await call(appPath("/functions/call"), { method: "POST", token: login.access_token, body: body("mongodb-atlas", "dropDatabase") });
    expect(action.body).toMatchObject({ error_code: "ServiceCommandNotFound" });
    const reserved = await call(appPath("/functions/call"), {
      method: "POST",
      token: login.access_token,
      body: JSON.stringify({ service: "mongodb-atlas", name: "find", arguments: [{ database: "__atoll", collection: "users" }] }),
    });
    expect(reserved.status).toBe(400);
  });

  it("logs every request and function call with the user and the outcome", async () => {
    const login = await anonymousLogin();
    await callFunction(login.access_token, "sum", [1, 1]);
    await callFunction(login.access_token, "boom");
    const mine = server.logEntries.filter((entry) => entry.userId === login.user_id);
    expect(mine.filter((entry) => entry.type === "function").map((entry) => entry.outcome)).toEqual(["ok", "error"]);
    expect(mine.some((entry) => entry.type === "auth" && entry.outcome === "ok")).toBe(true);
    expect(mine.filter((entry) => entry.type === "request").length).toBeGreaterThanOrEqual(2);
  });
});

describe("user API keys", () => {
  async function registeredUser(): Promise<Login> {
    // A custom-token user is a non-anonymous user without needing the sandbox.
    const token = await new SignJWT({ email: "keys@example.com", aud: "atoll-http-test" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(`key-owner-${Math.random()}`)
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("a-shared-secret-for-custom-jwt-tests-0123456789"));
    const result = await call(appPath("/auth/providers/custom-token/login"), { method: "POST", body: JSON.stringify({ token }) });
    expect(result.status).toBe(200);
    return result.body as Login;
  }

  it("creates, lists, disables, enables and deletes keys, and logs in with them", async () => {
    const owner = await registeredUser();
    const created = await call("/auth/api_keys", { method: "POST", token: owner.refresh_token, body: JSON.stringify({ name: "ci" }) });
    expect(created.status).toBe(201);
    const key = created.body as { _id: string; key: string; name: string; disabled: boolean };
    expect(key).toMatchObject({ name: "ci", disabled: false });
    const listed = await call("/auth/api_keys", { token: owner.refresh_token });
    expect(listed.body).toEqual([{ _id: key._id, name: "ci", disabled: false }]);
    const login = await call(appPath("/auth/providers/api-key/login"), { method: "POST", body: JSON.stringify({ key: key.key }) });
    expect((login.body as Login).user_id).toBe(owner.user_id);

    expect((await call(`/auth/api_keys/${key._id}/disable`, { method: "PUT", token: owner.refresh_token })).status).toBe(204);
    expect((await call(`/auth/api_keys/${key._id}`, { token: owner.refresh_token })).body).toMatchObject({ disabled: true });
    const refused = await call(appPath("/auth/providers/api-key/login"), { method: "POST", body: JSON.stringify({ key: key.key }) });
    expect(refused.status).toBe(401);
    await call(`/auth/api_keys/${key._id}/enable`, { method: "PUT", token: owner.refresh_token });
    expect((await call(appPath("/auth/providers/api-key/login"), { method: "POST", body: JSON.stringify({ key: key.key }) })).status).toBe(200);

    expect((await call(`/auth/api_keys/${key._id}`, { method: "DELETE", token: owner.refresh_token })).status).toBe(204);
    const gone = await call(`/auth/api_keys/${key._id}`, { token: owner.refresh_token });
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error_code: "APIKeyNotFound", error: "API key not found" });
  });

  it("allows at most 20 keys per user, names unique, and none for anonymous users", async () => {
    const owner = await registeredUser();
    for (let index = 0; index < 20; index++) {
      const result = await call("/auth/api_keys", { method: "POST", token: owner.refresh_token, body: JSON.stringify({ name: `key-${index}` }) });
      expect(result.status).toBe(201);
    }
    const tooMany = await call("/auth/api_keys", { method: "POST", token: owner.refresh_token, body: JSON.stringify({ name: "one-more" }) });
    expect(tooMany.status).toBe(400);
    const other = await registeredUser();
    await call("/auth/api_keys", { method: "POST", token: other.refresh_token, body: JSON.stringify({ name: "dup" }) });
    const duplicate = await call("/auth/api_keys", { method: "POST", token: other.refresh_token, body: JSON.stringify({ name: "dup" }) });
    expect(duplicate.body).toMatchObject({ error_code: "APIKeyAlreadyExists" });
    const anonymous = await anonymousLogin();
    const refused = await call("/auth/api_keys", { method: "POST", token: anonymous.refresh_token, body: JSON.stringify({ name: "x" }) });
    expect(refused.status).toBe(400);
  });
});

describe("streaming watch", () => {
  function watchUrl(request: Record<string, unknown>, token?: string): string {
    const encoded = encodeURIComponent(Buffer.from(JSON.stringify(request)).toString("base64"));
    return `${server.api}${appPath("/functions/call")}?baas_request=${encoded}${token === undefined ? "" : `&baas_at=${token}`}`;
  }

  async function nextChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
    const { value } = await reader.read();
    return new TextDecoder().decode(value);
  }

  it("streams change events as server-sent events, with the token in baas_at", async () => {
    const login = await anonymousLogin();
    const controller = new AbortController();
    const response = await fetch(
      watchUrl({ service: "mongodb-atlas", name: "watch", arguments: [{ database: "cars-db", collection: "Car" }] }, login.access_token),
      { headers: { Accept: "text/event-stream" }, signal: controller.signal },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await nextChunk(reader)).toMatch(/^:/);
    await server.data.db("cars-db").collection("Car").insertOne({ _id: "car-1", make: "Volvo\nEstate", miles: 5 });
    const frame = await nextChunk(reader);
    expect(frame.startsWith("data: ") && frame.endsWith("\n\n")).toBe(true);
    const payload = JSON.parse(decodeURIComponent(frame.slice("data: ".length).trim())) as Record<string, unknown>;
    expect(payload).toMatchObject({
      operationType: "insert",
      ns: { db: "cars-db", coll: "Car" },
      documentKey: { _id: "car-1" },
      fullDocument: { _id: "car-1", make: "Volvo\nEstate", miles: { $numberInt: "5" } },
    });
    controller.abort();
    await expectStillServing();
  });

  it("keeps an idle stream alive with a comment every 20 seconds", async () => {
    const login = await anonymousLogin();
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const controller = new AbortController();
    const response = await fetch(
      watchUrl({ service: "mongodb-atlas", name: "watch", arguments: [{ database: "cars-db", collection: "Idle" }] }, login.access_token),
      { signal: controller.signal },
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await nextChunk(reader)).toBe(": subscribed\n\n");
    vi.advanceTimersByTime(20_000);
    expect(await nextChunk(reader)).toBe(":\n\n");
    controller.abort();
  });

  it("answers a bad streaming request with a JSON error instead of a stream", async () => {
    const login = await anonymousLogin();
    const garbage = await fetch(`${server.api}${appPath("/functions/call")}?baas_request=%%%&baas_at=${login.access_token}`);
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get("content-type")).toBe("application/json");
    const notWatch = await fetch(watchUrl({ service: "mongodb-atlas", name: "find", arguments: [{ database: "d", collection: "c" }] }, login.access_token));
    expect(notWatch.status).toBe(400);
    const noToken = await fetch(watchUrl({ service: "mongodb-atlas", name: "watch", arguments: [{ database: "d", collection: "c" }] }));
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error_code: "InvalidSession" });
  });
});

describe("allowed request origins", () => {
  it("answers only the configured origins", async () => {
    const restricted = await startStandInServer({ allowedRequestOrigins: ["https://good.example"] });
    try {
      const location = `${restricted.api}/app/${restricted.appId}/location`;
      const good = await fetch(location, { headers: { Origin: "https://good.example" } });
      expect(good.status).toBe(200);
      expect(good.headers.get("access-control-allow-origin")).toBe("https://good.example");
      const bad = await fetch(location, { headers: { Origin: "https://evil.example" } });
      expect(bad.status).toBe(403);
      expect(await bad.json()).toMatchObject({ error_code: "DomainNotAllowed" });
      expect((await fetch(location)).status).toBe(200);
    } finally {
      await restricted.close();
    }
  });
});

/**
 * The HTTP API's auth routes over real HTTP, with stand-ins for the data layer and the
 * sandbox: status codes, `error_code`s, exact content types, tokens (expired with mocked
 * time, forged, revoked), API keys, CORS; and after every failure the server keeps answering.
 */
import { SignJWT } from "jose";
import { describe, expect, it, vi } from "vitest";
import { claimsOf } from "./test-support/rawClient.js";
import type { Login } from "./test-support/rawClient.js";
import { startStandInServer, useStandInServer } from "./test-support/standInServer.js";

const env = useStandInServer();

describe("location and routing", () => {
  it("answers the location request with host names that point back at this server", async () => {
    const result = await env.client.call(env.client.appPath("/location"));
    expect(result.status).toBe(200);
    expect(result.type).toBe("application/json");
    const host = env.server.url.replace(/^http:\/\//, "");
    expect(result.body).toEqual({
      deployment_model: "GLOBAL",
      location: "US-VA",
      hostname: `http://${host}`,
      ws_hostname: `ws://${host}`,
      sync_route: `ws://${host}/api/client/v2.0/app/${env.server.appId}/realm-sync`,
    });
  });

  it("answers unknown routes and unknown apps with JSON 404s", async () => {
    const unknownRoute = await env.client.call("/nowhere/at/all");
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.type).toBe("application/json");
    expect(unknownRoute.body).toMatchObject({ error_code: "NotFound" });
    const unknownApp = await env.client.call("/app/some-other-app/location");
    expect(unknownApp.status).toBe(404);
    expect(unknownApp.body).toMatchObject({ error_code: "AppNotFound", link: "" });
  });

  it("answers a known route called with the wrong method with 405 MethodNotAllowed", async () => {
    const result = await env.client.call("/auth/session", { method: "GET" });
    expect(result.status).toBe(405);
    expect(result.body).toMatchObject({ error_code: "MethodNotAllowed" });
    expect(
      (await env.client.call(env.client.appPath("/location"), { method: "DELETE" })).status,
    ).toBe(405);
  });

  it("answers CORS preflights for any origin, allowing the Authorization header", async () => {
    const response = await fetch(`${env.server.api}${env.client.appPath("/functions/call")}`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example.org",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.org");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
      "authorization",
    );
  });
});

describe("logging in", () => {
  it("issues tokens whose claims App Services clients decode", async () => {
    const login = await env.client.anonymousLogin();
    expect(login.user_id).toMatch(/^[0-9a-f]{24}$/);
    expect(login.device_id).toMatch(/^[0-9a-f]{24}$/);
    const claims = claimsOf(login.access_token);
    expect(claims).toMatchObject({
      sub: login.user_id,
      typ: "access",
      baas_device_id: login.device_id,
      user_data: {},
    });
    expect(Number.isInteger(claims.exp) && Number.isInteger(claims.iat)).toBe(true);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(30 * 60);
    expect(claimsOf(login.refresh_token)).toMatchObject({ sub: login.user_id, typ: "refresh" });
  });

  it("keeps the device id a client sends back", async () => {
    const first = await env.client.anonymousLogin();
    const again = await env.client.call(env.client.appPath("/auth/providers/anon-user/login"), {
      method: "POST",
      body: JSON.stringify({ options: { device: { deviceId: { $oid: first.device_id } } } }),
    });
    expect((again.body as Login).device_id).toBe(first.device_id);
  });

  it("returns the profile with identities and the App Services field names", async () => {
    const login = await env.client.anonymousLogin();
    const profile = await env.client.call("/auth/profile", { token: login.access_token });
    expect(profile.status).toBe(200);
    expect(profile.type).toBe("application/json");
    expect(profile.body).toMatchObject({
      user_id: login.user_id,
      type: "normal",
      data: {},
      identities: [{ provider_type: "anon-user", provider_id: "anon-user" }],
    });
  });

  it("rejects malformed JSON and malformed EJSON with BadRequest, then keeps serving", async () => {
    const malformedJson = await env.client.call(
      env.client.appPath("/auth/providers/anon-user/login"),
      {
        method: "POST",
        body: "{not json",
      },
    );
    expect(malformedJson.status).toBe(400);
    expect(malformedJson.type).toBe("application/json");
    expect(malformedJson.body).toMatchObject({ error_code: "BadRequest" });
    const login = await env.client.anonymousLogin();
    const malformedEjson = await env.client.call(env.client.appPath("/functions/call"), {
      method: "POST",
      token: login.access_token,
      body: JSON.stringify({
        name: "sum",
        arguments: [{ $numberInt: "twelve" }, { $oid: "nope" }],
      }),
    });
    expect(malformedEjson.status).toBe(400);
    expect(malformedEjson.body).toMatchObject({ error_code: "BadRequest" });
    const notAnObject = await env.client.call(env.client.appPath("/functions/call"), {
      method: "POST",
      token: login.access_token,
      body: "[1,2]",
    });
    expect(notAnObject.body).toMatchObject({ error_code: "BadRequest" });
    await env.client.expectStillServing();
  });

  it("accepts requests as realm-core sends them: provider echo in the body, JSON content type on bodiless GETs", async () => {
    const coreHeaders = {
      "Content-Type": "application/json;charset=utf-8",
      Accept: "application/json",
    };
    const login = await fetch(
      `${env.server.api}${env.client.appPath("/auth/providers/anon-user/login")}`,
      {
        method: "POST",
        headers: coreHeaders,
        body: JSON.stringify({
          provider: "anon-user",
          options: { device: { appId: "x", platform: "Linux", sdk: "Realm Core" } },
        }),
      },
    );
    expect(login.status).toBe(200);
    const tokens = (await login.json()) as Login;
    const profile = await fetch(`${env.server.api}/auth/profile`, {
      headers: { ...coreHeaders, Authorization: `Bearer ${tokens.access_token}` },
    });
    expect(profile.status).toBe(200);
    expect(profile.headers.get("content-type")).toBe("application/json");
  });

  it("refuses unknown and disabled providers with AuthProviderNotFound", async () => {
    const result = await env.client.call(
      env.client.appPath("/auth/providers/oauth2-google/login"),
      {
        method: "POST",
        body: "{}",
      },
    );
    expect(result.status).toBe(404);
    expect(result.body).toMatchObject({ error_code: "AuthProviderNotFound" });
  });
});

describe("tokens", () => {
  it("answers a missing, garbled or forged access token with 401 InvalidSession", async () => {
    const missing = await env.client.call(env.client.appPath("/functions/call"), {
      method: "POST",
      body: JSON.stringify({ name: "sum", arguments: [] }),
    });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error_code: "InvalidSession" });
    const garbled = await env.client.callFunction("not-a-jwt", "sum");
    expect(garbled.status).toBe(401);
    expect(garbled.body).toMatchObject({ error_code: "InvalidSession" });
    const login = await env.client.anonymousLogin();
    const forged = await new SignJWT({ ...claimsOf(login.access_token) })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("somebody-else's-key-somebody-else's-key"));
    const forgedResult = await env.client.callFunction(forged, "sum", [1, 2]);
    expect(forgedResult.status).toBe(401);
    expect(forgedResult.body).toMatchObject({ error_code: "InvalidSession" });
    await env.client.expectStillServing();
  });

  it("expires access tokens after 30 minutes; the refresh token then gets a fresh one", async () => {
    const login = await env.client.anonymousLogin();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31 * 60 * 1000);
    const expired = await env.client.callFunction(login.access_token, "sum", [1, 2]);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({
      error: "invalid session: access token expired",
      error_code: "InvalidSession",
      link: "",
    });
    const refreshed = await env.client.call("/auth/session", {
      method: "POST",
      token: login.refresh_token,
    });
    expect(refreshed.status).toBe(201);
    const { access_token } = refreshed.body as { access_token: string };
    const retried = await env.client.callFunction(access_token, "sum", [1, 2]);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ $numberInt: "3" });
  });

  it("does not accept an access token where a refresh token belongs", async () => {
    const login = await env.client.anonymousLogin();
    const result = await env.client.call("/auth/session", {
      method: "POST",
      token: login.access_token,
    });
    expect(result.status).toBe(401);
    expect(result.body).toMatchObject({
      error_code: "InvalidSession",
      error: "invalid refresh token: incorrect token type",
    });
  });

  it("revokes the session on logout: its refresh and access tokens stop working", async () => {
    const login = await env.client.anonymousLogin();
    const logout = await env.client.call("/auth/session", {
      method: "DELETE",
      token: login.refresh_token,
    });
    expect(logout.status).toBe(204);
    expect(logout.type).toBeNull();
    const refresh = await env.client.call("/auth/session", {
      method: "POST",
      token: login.refresh_token,
    });
    expect(refresh.status).toBe(401);
    expect(refresh.body).toMatchObject({
      error_code: "InvalidSession",
      error: "invalid session: failed to find refresh token",
    });
    const access = await env.client.call("/auth/profile", { token: login.access_token });
    expect(access.status).toBe(401);
    expect(access.body).toMatchObject({ error_code: "InvalidSession" });
    await env.client.expectStillServing();
  });

  it("answers a disabled user with 401 UserDisabled, and lets them back once re-enabled", async () => {
    const login = await env.client.anonymousLogin();
    await env.server.auth.users.setDisabled(login.user_id, true);
    const profile = await env.client.call("/auth/profile", { token: login.access_token });
    expect(profile.status).toBe(401);
    expect(profile.body).toMatchObject({ error_code: "UserDisabled" });
    const refresh = await env.client.call("/auth/session", {
      method: "POST",
      token: login.refresh_token,
    });
    expect(refresh.body).toMatchObject({ error_code: "UserDisabled" });
    await env.server.auth.users.setDisabled(login.user_id, false);
    expect((await env.client.call("/auth/profile", { token: login.access_token })).status).toBe(
      200,
    );
  });

  it("refuses a custom JWT that never expires with 401 AuthError", async () => {
    const token = await new SignJWT({ email: "forever@example.com", aud: "atoll-http-test" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("never-expires")
      .sign(new TextEncoder().encode("a-shared-secret-for-custom-jwt-tests-0123456789"));
    const login = await env.client.call(env.client.appPath("/auth/providers/custom-token/login"), {
      method: "POST",
      body: JSON.stringify({ token }),
    });
    expect(login.status).toBe(401);
    expect(login.body).toMatchObject({ error_code: "AuthError" });
  });

  it("refuses to log a disabled user in", async () => {
    const token = await new SignJWT({ email: "off@example.com", aud: "atoll-http-test" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("soon-disabled")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("a-shared-secret-for-custom-jwt-tests-0123456789"));
    const login = (
      await env.client.call(env.client.appPath("/auth/providers/custom-token/login"), {
        method: "POST",
        body: JSON.stringify({ token }),
      })
    ).body as Login;
    await env.server.auth.users.setDisabled(login.user_id, true);
    const again = await env.client.call(env.client.appPath("/auth/providers/custom-token/login"), {
      method: "POST",
      body: JSON.stringify({ token }),
    });
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ error_code: "UserDisabled" });
  });

  it("deletes a user with all its sessions", async () => {
    const login = await env.client.anonymousLogin();
    const deleted = await env.client.call("/auth/delete", {
      method: "DELETE",
      token: login.access_token,
    });
    expect(deleted.status).toBe(204);
    expect((await env.client.call("/auth/profile", { token: login.access_token })).status).toBe(
      401,
    );
    expect(
      (await env.client.call("/auth/session", { method: "POST", token: login.refresh_token })).body,
    ).toMatchObject({ error_code: "InvalidSession" });
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
    const result = await env.client.call(env.client.appPath("/auth/providers/custom-token/login"), {
      method: "POST",
      body: JSON.stringify({ token }),
    });
    expect(result.status).toBe(200);
    return result.body as Login;
  }

  it("creates, lists, disables, enables and deletes keys, and logs in with them", async () => {
    const owner = await registeredUser();
    const created = await env.client.call("/auth/api_keys", {
      method: "POST",
      token: owner.refresh_token,
      body: JSON.stringify({ name: "ci" }),
    });
    expect(created.status).toBe(201);
    const key = created.body as { _id: string; key: string; name: string; disabled: boolean };
    expect(key).toMatchObject({ name: "ci", disabled: false });
    const listed = await env.client.call("/auth/api_keys", { token: owner.refresh_token });
    expect(listed.body).toEqual([{ _id: key._id, name: "ci", disabled: false }]);
    const login = await env.client.call(env.client.appPath("/auth/providers/api-key/login"), {
      method: "POST",
      body: JSON.stringify({ key: key.key }),
    });
    expect((login.body as Login).user_id).toBe(owner.user_id);

    expect(
      (
        await env.client.call(`/auth/api_keys/${key._id}/disable`, {
          method: "PUT",
          token: owner.refresh_token,
        })
      ).status,
    ).toBe(204);
    expect(
      (await env.client.call(`/auth/api_keys/${key._id}`, { token: owner.refresh_token })).body,
    ).toMatchObject({ disabled: true });
    const refused = await env.client.call(env.client.appPath("/auth/providers/api-key/login"), {
      method: "POST",
      body: JSON.stringify({ key: key.key }),
    });
    expect(refused.status).toBe(401);
    await env.client.call(`/auth/api_keys/${key._id}/enable`, {
      method: "PUT",
      token: owner.refresh_token,
    });
    expect(
      (
        await env.client.call(env.client.appPath("/auth/providers/api-key/login"), {
          method: "POST",
          body: JSON.stringify({ key: key.key }),
        })
      ).status,
    ).toBe(200);

    expect(
      (
        await env.client.call(`/auth/api_keys/${key._id}`, {
          method: "DELETE",
          token: owner.refresh_token,
        })
      ).status,
    ).toBe(204);
    const gone = await env.client.call(`/auth/api_keys/${key._id}`, { token: owner.refresh_token });
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error_code: "APIKeyNotFound", error: "API key not found" });
  });

  it("allows at most 20 keys per user, names unique, and none for anonymous users", async () => {
    const owner = await registeredUser();
    for (let index = 0; index < 20; index++) {
      const result = await env.client.call("/auth/api_keys", {
        method: "POST",
        token: owner.refresh_token,
        body: JSON.stringify({ name: `key-${index}` }),
      });
      expect(result.status).toBe(201);
    }
    const tooMany = await env.client.call("/auth/api_keys", {
      method: "POST",
      token: owner.refresh_token,
      body: JSON.stringify({ name: "one-more" }),
    });
    expect(tooMany.status).toBe(400);
    const other = await registeredUser();
    await env.client.call("/auth/api_keys", {
      method: "POST",
      token: other.refresh_token,
      body: JSON.stringify({ name: "dup" }),
    });
    const duplicate = await env.client.call("/auth/api_keys", {
      method: "POST",
      token: other.refresh_token,
      body: JSON.stringify({ name: "dup" }),
    });
    expect(duplicate.body).toMatchObject({ error_code: "APIKeyAlreadyExists" });
    const anonymous = await env.client.anonymousLogin();
    const refused = await env.client.call("/auth/api_keys", {
      method: "POST",
      token: anonymous.refresh_token,
      body: JSON.stringify({ name: "x" }),
    });
    expect(refused.status).toBe(400);
  });
});

describe("allowed request origins", () => {
  it("answers only the configured origins", async () => {
    const restricted = await startStandInServer({
      allowedRequestOrigins: ["https://good.example"],
    });
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

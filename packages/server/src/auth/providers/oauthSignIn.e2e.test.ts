/**
 * Google and Apple sign-in over real HTTP, the ID token verified against a key set served
 * locally (as `--oauth-jwks` points it): a valid token logs a user in, the same `sub` the same
 * user again, with the metadata fields; a token for another client, an expired one, one signed
 * by a key outside the set, or one from another issuer is refused.
 */
import * as Realm from "realm-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtollServer } from "../../AtollServer.js";
import { writeApp } from "../../config/test-support/appFixture.js";
import { startLocalJwks, type LocalJwks } from "../test-support/localJwks.js";

const GOOGLE_CLIENT = "1234-test.apps.googleusercontent.com";
const APPLE_CLIENT = "com.example.atoll";
const FACEBOOK_APP = "1234567890";
const GOOGLE_ISSUER = "https://accounts.google.com";

let jwks: LocalJwks;
let app: { dir: string; remove: () => Promise<void> };
let server: AtollServer;

beforeAll(async () => {
  jwks = await startLocalJwks();
  app = await writeApp({
    "auth/providers.json": {
      "oauth2-google": {
        name: "oauth2-google",
        type: "oauth2-google",
        disabled: false,
        config: { clientId: GOOGLE_CLIENT },
        metadata_fields: [
          { required: true, name: "email" },
          { required: false, name: "name" },
        ],
      },
      "oauth2-apple": {
        name: "oauth2-apple",
        type: "oauth2-apple",
        disabled: false,
        config: { clientId: APPLE_CLIENT },
      },
      "oauth2-facebook": {
        name: "oauth2-facebook",
        type: "oauth2-facebook",
        disabled: false,
        config: { clientId: FACEBOOK_APP },
      },
    },
  });
  server = await AtollServer.start({
    appDir: app.dir,
    port: 0,
    storage: "memory",
    logLevel: "silent",
    oauthJwksUrls: {
      "oauth2-google": jwks.url,
      "oauth2-apple": jwks.url,
      "oauth2-facebook": jwks.url,
    },
  });
});
afterAll(async () => {
  await server?.close();
  await app?.remove();
  await jwks?.close();
});

async function logIn(
  provider: string,
  payload: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(
    `${server.url}/api/client/v2.0/app/${server.appId}/auth/providers/${provider}/login`,
    {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const googleClaims = {
  iss: GOOGLE_ISSUER,
  aud: GOOGLE_CLIENT,
  sub: "google-user-1",
  email: "ada@example.com",
  name: "Ada",
};

describe("OAuth sign-in with ID tokens", () => {
  it("logs a Google user in by the token's sub, the same user each time, with its metadata", async () => {
    const first = await logIn("oauth2-google", { id_token: await jwks.sign(googleClaims) });
    expect(first.status).toBe(200);
    const again = await logIn("oauth2-google", {
      id_token: await jwks.sign(googleClaims),
      options: { device: { platform: "node" } },
    });
    expect(again.body.user_id).toBe(first.body.user_id);
    const profile = (await (
      await fetch(`${server.url}/api/client/v2.0/auth/profile`, {
        headers: { Authorization: `Bearer ${String(first.body.access_token)}` },
      })
    ).json()) as { identities: { id: string; provider_type: string }[]; data: unknown };
    expect(profile.identities).toEqual([
      expect.objectContaining({ id: "google-user-1", provider_type: "oauth2-google" }),
    ]);
    expect(profile.data).toEqual({ email: "ada@example.com", name: "Ada" });
  });

  it("refuses a token for another client, expired, signed outside the key set, or from another issuer", async () => {
    const now = Math.floor(Date.now() / 1000);
    const refused = [
      await jwks.sign({ ...googleClaims, aud: "someone-else.apps.googleusercontent.com" }),
      await jwks.sign({ ...googleClaims, iat: now - 7200, exp: now - 3600 }),
      await jwks.sign(googleClaims, jwks.strangerKey),
      await jwks.sign({ ...googleClaims, iss: "https://appleid.apple.com" }),
    ];
    for (const token of refused) {
      const result = await logIn("oauth2-google", { id_token: token });
      expect(result.status).toBe(401);
      expect(result.body.error_code).toBe("AuthError");
    }
    const missingEmail = await logIn("oauth2-google", {
      id_token: await jwks.sign({ ...googleClaims, email: undefined }),
    });
    expect(missingEmail.status).toBe(401);
  });

  it("says that Google auth codes need an ID token instead", async () => {
    const result = await logIn("oauth2-google", { authCode: "4/0Abc" });
    expect(result.status).toBe(401);
    expect(String(result.body.error)).toContain("id_token");
  });

  it("signs realm-web's Google and Apple credentials in, and refuses its Facebook access token", async () => {
    const client = new Realm.App({ id: server.appId, baseUrl: server.url });
    const google = await client.logIn(
      Realm.Credentials.google({
        idToken: await jwks.sign({ ...googleClaims, sub: "google-web" }),
      }),
    );
    expect(google.identities).toEqual([{ id: "google-web", providerType: "oauth2-google" }]);
    const apple = await client.logIn(
      Realm.Credentials.apple(
        await jwks.sign({ iss: "https://appleid.apple.com", aud: APPLE_CLIENT, sub: "apple-web" }),
      ),
    );
    expect(apple.profile).toBeDefined();
    expect(apple.identities).toEqual([{ id: "apple-web", providerType: "oauth2-apple" }]);
    await expect(client.logIn(Realm.Credentials.facebook("EAAB-access-token"))).rejects.toThrow(
      /Facebook access tokens are not supported/,
    );
  });

  it("logs a Facebook Limited Login user in with its ID token", async () => {
    const token = await jwks.sign({
      iss: "https://www.facebook.com",
      aud: FACEBOOK_APP,
      sub: "fb-7",
    });
    const result = await logIn("oauth2-facebook", { id_token: token });
    expect(result.status).toBe(200);
  });

  it("logs an Apple user in with realm-core's payload shape", async () => {
    const token = await jwks.sign({
      iss: "https://appleid.apple.com",
      aud: APPLE_CLIENT,
      sub: "apple.001",
    });
    const result = await logIn("oauth2-apple", { provider: "oauth2-apple", id_token: token });
    expect(result.status).toBe(200);
    expect(typeof result.body.user_id).toBe("string");
  });
});

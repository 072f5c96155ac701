import { generateKeyPair, exportSPKI, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { AuthProviderConfig } from "../../config/types.js";
import { resolveCustomToken } from "./customToken.js";

const SECRET = "custom-jwt-secret-custom-jwt-secret";

function provider(
  overrides: Partial<AuthProviderConfig> = {},
  config: Record<string, unknown> = {},
): AuthProviderConfig {
  return {
    name: "custom-token",
    type: "custom-token",
    disabled: false,
    config: { audience: ["my-app"], signingAlgorithm: "HS256", ...config },
    secretConfig: { signingKeys: ["an-old-key-that-no-longer-signs", SECRET] },
    metadataFields: [
      { required: true, name: "email", field_name: "email" },
      { required: false, name: "profile.name", field_name: "name" },
    ],
    ...overrides,
  };
}

function jwt(payload: Record<string, unknown>, expiresIn = "5m") {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("external-7")
    .setExpirationTime(expiresIn);
}

describe("custom JWT authentication", () => {
  it("accepts a token signed with any configured key and maps metadata fields into user data", async () => {
    const token = await jwt({
      aud: "my-app",
      email: "a@example.com",
      profile: { name: "Ada" },
    }).sign(new TextEncoder().encode(SECRET));
    const resolved = await resolveCustomToken({ token }, provider());
    expect(resolved.identity).toEqual({
      id: "external-7",
      provider_type: "custom-token",
      provider_id: "custom-token",
    });
    expect(resolved.data).toEqual({ email: "a@example.com", name: "Ada" });
  });

  it("rejects a wrong audience, a wrong key, an expired token and a missing required field", async () => {
    const key = new TextEncoder().encode(SECRET);
    await expect(
      resolveCustomToken({ token: await jwt({ aud: "other", email: "x" }).sign(key) }, provider()),
    ).rejects.toMatchObject({ code: "AuthError" });
    const foreign = await jwt({ aud: "my-app", email: "x" }).sign(
      new TextEncoder().encode("not-a-configured-key-at-all-000000"),
    );
    await expect(resolveCustomToken({ token: foreign }, provider())).rejects.toMatchObject({
      code: "AuthError",
    });
    const expired = await jwt({ aud: "my-app", email: "x" }, "-1m").sign(key);
    await expect(resolveCustomToken({ token: expired }, provider())).rejects.toMatchObject({
      code: "AuthError",
    });
    const noEmail = await jwt({ aud: "my-app" }).sign(key);
    await expect(resolveCustomToken({ token: noEmail }, provider())).rejects.toMatchObject({
      code: "AuthError",
      message: "expected field 'email' to be in token metadata",
    });
    await expect(resolveCustomToken({}, provider())).rejects.toMatchObject({
      code: "MissingParameter",
    });
  });

  it("refuses a token without exp, one not valid before a later time, and one issued in the future", async () => {
    const key = new TextEncoder().encode(SECRET);
    const signed = (payload: Record<string, unknown>) =>
      new SignJWT({ aud: "my-app", email: "x", ...payload })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("external-7")
        .sign(key);
    const hourFromNow = Math.floor(Date.now() / 1000) + 3600;
    for (const payload of [
      {},
      { exp: hourFromNow, nbf: hourFromNow - 60 },
      { exp: hourFromNow + 3600, iat: hourFromNow },
    ]) {
      await expect(
        resolveCustomToken({ token: await signed(payload) }, provider()),
      ).rejects.toMatchObject({
        code: "AuthError",
      });
    }
    await expect(
      resolveCustomToken(
        {
          token: await signed({
            exp: hourFromNow,
            nbf: hourFromNow - 7200,
            iat: hourFromNow - 7200,
          }),
        },
        provider(),
      ),
    ).resolves.toMatchObject({ identity: { id: "external-7" } });
  });

  it("checks the audience only when one is configured", async () => {
    const token = await jwt({ aud: "anything", email: "x" }).sign(new TextEncoder().encode(SECRET));
    await expect(
      resolveCustomToken({ token }, provider({}, { audience: [] })),
    ).resolves.toMatchObject({ identity: { id: "external-7" } });
  });

  it("verifies RS256 tokens with a PEM public key", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const rsa = provider(
      { secretConfig: { signingKeys: [await exportSPKI(publicKey)] } },
      { signingAlgorithm: "RS256" },
    );
    const token = await new SignJWT({ aud: "my-app", email: "r@example.com" })
      .setProtectedHeader({ alg: "RS256" })
      .setSubject("rsa-user")
      .setExpirationTime("5m")
      .sign(privateKey);
    await expect(resolveCustomToken({ token }, rsa)).resolves.toMatchObject({
      identity: { id: "rsa-user" },
      data: { email: "r@example.com" },
    });
  });
});

import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TokenIssuer } from "./tokens.js";

const issuer = new TokenIssuer(randomBytes(32), "app-id");
const claims = {
  userId: "65a1f0c2e4b0a1b2c3d4e5f6",
  sessionId: "65a1f0c2e4b0a1b2c3d4e5f7",
  deviceId: "65a1f0c2e4b0a1b2c3d4e5f8",
  userData: { plan: "pro" },
};

afterEach(() => {
  vi.useRealTimers();
});

describe("tokens", () => {
  it("round-trips the claims of access and refresh tokens", async () => {
    expect(await issuer.verifyAccess(await issuer.issueAccess(claims))).toEqual(claims);
    expect(await issuer.verifyRefresh(await issuer.issueRefresh(claims))).toEqual({
      userId: claims.userId,
      sessionId: claims.sessionId,
    });
  });

  it("expires access tokens after 30 minutes with InvalidSession", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const token = await issuer.issueAccess(claims);
    vi.setSystemTime(Date.now() + 29 * 60 * 1000);
    await expect(issuer.verifyAccess(token)).resolves.toEqual(claims);
    vi.setSystemTime(Date.now() + 2 * 60 * 1000);
    await expect(issuer.verifyAccess(token)).rejects.toMatchObject({
      code: "InvalidSession",
      message: "invalid session: access token expired",
    });
  });

  it("rejects tokens of another key, of the other type, or tampered with", async () => {
    const other = new TokenIssuer(randomBytes(32), "app-id");
    await expect(issuer.verifyAccess(await other.issueAccess(claims))).rejects.toMatchObject({
      code: "InvalidSession",
    });
    await expect(issuer.verifyRefresh(await issuer.issueAccess(claims))).rejects.toMatchObject({
      code: "InvalidSession",
      message: "invalid refresh token: incorrect token type",
    });
    const [header, , signature] = (await issuer.issueAccess(claims)).split(".");
    const payload = Buffer.from(
      JSON.stringify({ sub: "someone-else", typ: "access", baas_id: "x", exp: 9999999999 }),
    ).toString("base64url");
    await expect(issuer.verifyAccess(`${header}.${payload}.${signature}`)).rejects.toMatchObject({
      code: "InvalidSession",
    });
  });
});

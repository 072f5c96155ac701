/**
 * Access and refresh tokens, as App Services clients read them. Both are HS256 JWTs with
 * integer `sub`/`iat`/`exp`. The access token (30 min) carries the user's custom user data in
 * `user_data` (realm-web's `user.customData` decodes it from there); the refresh token names
 * a session, which the store can revoke. Every failure to verify is 401 `InvalidSession`,
 * the one answer that makes clients refresh or log in again.
 */
import { AppError } from "@atoll/protocol";
import { errors, jwtVerify, SignJWT } from "jose";
import type { JWTPayload } from "jose";

export const ACCESS_TOKEN_SECONDS = 30 * 60;
export const REFRESH_TOKEN_SECONDS = 60 * 24 * 60 * 60;

export interface AccessClaims {
  readonly userId: string;
  readonly sessionId: string;
  readonly deviceId: string;
  readonly userData: Record<string, unknown>;
}

export interface RefreshClaims {
  readonly userId: string;
  readonly sessionId: string;
}

type TokenType = "access" | "refresh";

export class TokenIssuer {
  constructor(
    private readonly key: Uint8Array,
    private readonly appId: string,
  ) {}

  issueAccess(claims: AccessClaims): Promise<string> {
    return this.sign("access", claims.userId, ACCESS_TOKEN_SECONDS, {
      baas_device_id: claims.deviceId,
      baas_domain_id: this.appId,
      baas_id: claims.sessionId,
      user_data: claims.userData,
    });
  }

  issueRefresh(claims: RefreshClaims): Promise<string> {
    return this.sign("refresh", claims.userId, REFRESH_TOKEN_SECONDS, {
      baas_id: claims.sessionId,
    });
  }

  async verifyAccess(token: string): Promise<AccessClaims> {
    const payload = await this.verify(token, "access");
    const userData = payload.user_data;
    return {
      userId: payload.sub ?? "",
      sessionId: typeof payload.baas_id === "string" ? payload.baas_id : "",
      deviceId: typeof payload.baas_device_id === "string" ? payload.baas_device_id : "",
      userData:
        typeof userData === "object" && userData !== null
          ? (userData as Record<string, unknown>)
          : {},
    };
  }

  async verifyRefresh(token: string): Promise<RefreshClaims> {
    const payload = await this.verify(token, "refresh");
    return {
      userId: payload.sub ?? "",
      sessionId: typeof payload.baas_id === "string" ? payload.baas_id : "",
    };
  }

  private async sign(
    type: TokenType,
    subject: string,
    lifetimeSeconds: number,
    extra: Record<string, unknown>,
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...extra, typ: type })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(subject)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetimeSeconds)
      .sign(this.key);
  }

  private async verify(token: string, type: TokenType): Promise<JWTPayload> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ["HS256"] }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        throw new AppError("InvalidSession", `invalid session: ${type} token expired`);
      }
      throw new AppError("InvalidSession", `invalid session: invalid ${type} token`, {
        cause: error,
      });
    }
    if (payload.typ !== type) {
      throw new AppError("InvalidSession", `invalid ${type} token: incorrect token type`);
    }
    if (typeof payload.sub !== "string" || typeof payload.baas_id !== "string") {
      throw new AppError("InvalidSession", `invalid session: invalid ${type} token`);
    }
    return payload;
  }
}

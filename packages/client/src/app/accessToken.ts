/**
 * Reads the claims clients rely on from an access token (never verifying it: that is the
 * server's job): `exp`, the device id, and `user_data`, the custom user data document.
 */
import { fromEjsonValue } from "./ejson.js";

export interface AccessTokenClaims {
  readonly expiresAt: number | undefined;
  readonly deviceId: string | undefined;
  readonly userData: Record<string, unknown>;
}

function payloadOf(token: string): Record<string, unknown> {
  const parts = token.split(".");
  const payload = parts[1];
  if (parts.length !== 3 || payload === undefined) return {};
  try {
    const json: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return typeof json === "object" && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export function readAccessToken(token: string): AccessTokenClaims {
  const payload = payloadOf(token);
  const userData =
    typeof payload.user_data === "object" && payload.user_data !== null
      ? fromEjsonValue(payload.user_data)
      : {};
  return {
    expiresAt: typeof payload.exp === "number" ? payload.exp * 1000 : undefined,
    deviceId: typeof payload.baas_device_id === "string" ? payload.baas_device_id : undefined,
    userData:
      typeof userData === "object" && userData !== null && !Array.isArray(userData)
        ? (userData as Record<string, unknown>)
        : {},
  };
}

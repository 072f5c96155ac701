/**
 * Custom JWT authentication: the client brings a token minted by a third party; it is accepted
 * when one of the provider's signing keys verifies it, it carries an `exp` that has not passed,
 * its `nbf` (when present) has passed, its `iat` (when present) is not in the future, and its
 * audience matches the configured one (when one is configured). A token without `exp` would
 * log its bearer in forever, so it is refused as App Services refuses it. The user is identified by `sub`, and
 * `metadata_fields` copy values at JWT paths into `user.data`.
 */
import { AppError } from "@atoll/protocol";
import { importSPKI, jwtVerify } from "jose";
import type { JWTPayload } from "jose";
import type { AuthProviderConfig } from "../../config/types.js";
import type { ResolvedIdentity } from "./ResolvedIdentity.js";

/** How far the token issuer's clock may run ahead of this server's. */
const CLOCK_SKEW_SECONDS = 60;

function configuredAudiences(provider: AuthProviderConfig): string[] {
  const audience = provider.config.audience;
  if (typeof audience === "string") return audience === "" ? [] : [audience];
  return Array.isArray(audience)
    ? audience.filter((entry): entry is string => typeof entry === "string" && entry !== "")
    : [];
}

function signingKeys(provider: AuthProviderConfig): string[] {
  const keys = provider.secretConfig.signingKeys ?? provider.secretConfig.signingKey;
  if (typeof keys === "string") return [keys];
  return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === "string") : [];
}

async function verifyWithAnyKey(token: string, provider: AuthProviderConfig): Promise<JWTPayload> {
  const algorithm =
    typeof provider.config.signingAlgorithm === "string"
      ? provider.config.signingAlgorithm
      : "HS256";
  let lastError: unknown = new Error("no signing keys are configured");
  for (const key of signingKeys(provider)) {
    try {
      const verificationKey =
        algorithm === "HS256" ? new TextEncoder().encode(key) : await importSPKI(key, algorithm);
      const { payload } = await jwtVerify(token, verificationKey, {
        algorithms: [algorithm],
        requiredClaims: ["exp"],
        clockTolerance: CLOCK_SKEW_SECONDS,
      });
      return payload;
    } catch (error) {
      lastError = error;
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new AppError("AuthError", `invalid custom auth token: ${reason}`, { cause: lastError });
}

function checkAudience(payload: JWTPayload, provider: AuthProviderConfig): void {
  const expected = configuredAudiences(provider);
  if (expected.length === 0) return;
  const actual = typeof payload.aud === "string" ? [payload.aud] : (payload.aud ?? []);
  const requireAll = provider.config.requireAnyAudience !== true && expected.length > 1;
  const ok = requireAll
    ? expected.every((aud) => actual.includes(aud))
    : expected.some((aud) => actual.includes(aud));
  if (!ok) throw new AppError("AuthError", "invalid custom auth token: audience does not match");
}

function checkIssuedAt(payload: JWTPayload): void {
  if (payload.iat !== undefined && payload.iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS)
    throw new AppError("AuthError", "invalid custom auth token: 'iat' is in the future");
}

function valueAtPath(payload: JWTPayload, path: string): unknown {
  let current: unknown = payload;
  for (const part of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function metadata(payload: JWTPayload, provider: AuthProviderConfig): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of provider.metadataFields) {
    const value = valueAtPath(payload, field.name);
    if (value === undefined) {
      if (field.required)
        throw new AppError("AuthError", `expected field '${field.name}' to be in token metadata`);
      continue;
    }
    data[
      field.field_name !== undefined && field.field_name !== "" ? field.field_name : field.name
    ] = value;
  }
  return data;
}

export async function resolveCustomToken(
  payload: Record<string, unknown>,
  provider: AuthProviderConfig,
): Promise<ResolvedIdentity> {
  const token = payload.token;
  if (typeof token !== "string" || token === "")
    throw new AppError("MissingParameter", "expected a 'token' in the login payload");
  const claims = await verifyWithAnyKey(token, provider);
  checkIssuedAt(claims);
  checkAudience(claims, provider);
  if (typeof claims.sub !== "string" || claims.sub === "")
    throw new AppError("AuthError", "invalid custom auth token: 'sub' is missing");
  return {
    identity: { id: claims.sub, provider_type: provider.type, provider_id: provider.name },
    data: metadata(claims, provider),
  };
}

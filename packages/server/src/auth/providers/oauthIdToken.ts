/**
 * Sign-in with Google, Apple and Facebook as App Services configures them (`oauth2-google`,
 * `oauth2-apple`, `oauth2-facebook` in auth/providers.json, the app's client id in
 * `config.clientId`): the client brings the ID token (an OpenID Connect JWT) the provider gave
 * it, as `id_token`. It is accepted when the provider's published keys (its JWKS) verify the
 * signature, `iss` is the provider's, `aud` is the configured client id and `exp` has not
 * passed. The user is identified by `sub`; `metadata_fields` copy `email`, `name`,
 * `first_name`, `last_name` and `picture` from the token into `user.data`.
 *
 * Credentials that must be exchanged with the provider over the network (Google's `authCode`,
 * Facebook's `accessToken`) are refused with a message saying so.
 */
import { AppError } from "@atoll/protocol";
import { createRemoteJWKSet, jwtVerify } from "jose";
import type { JWTPayload } from "jose";
import type { AuthProviderConfig } from "../../config/types.js";
import type { ResolvedIdentity } from "./ResolvedIdentity.js";

export const OAUTH_PROVIDER_TYPES = ["oauth2-google", "oauth2-apple", "oauth2-facebook"] as const;
export type OAuthProviderType = (typeof OAUTH_PROVIDER_TYPES)[number];

interface OAuthIssuer {
  readonly jwksUrl: string;
  readonly issuers: readonly string[];
  /** The payload field of a credential Atoll cannot verify offline, and why. */
  readonly exchanged: { readonly field: string; readonly reason: string };
}

/** Each provider's published keys and issuers; the operator may point the keys elsewhere. */
export const OAUTH_ISSUERS: Readonly<Record<OAuthProviderType, OAuthIssuer>> = {
  "oauth2-google": {
    jwksUrl: "https://www.googleapis.com/oauth2/v3/certs",
    issuers: ["https://accounts.google.com", "accounts.google.com"],
    exchanged: {
      field: "authCode",
      reason: "Google server auth codes are not supported; sign in with an ID token (id_token)",
    },
  },
  "oauth2-apple": {
    jwksUrl: "https://appleid.apple.com/auth/keys",
    issuers: ["https://appleid.apple.com"],
    exchanged: {
      field: "authCode",
      reason: "Apple auth codes are not supported; sign in with id_token",
    },
  },
  "oauth2-facebook": {
    jwksUrl: "https://limited.facebook.com/.well-known/oauth/openid/jwks/",
    issuers: ["https://www.facebook.com", "https://limited.facebook.com"],
    exchanged: {
      field: "accessToken",
      reason:
        "Facebook access tokens are not supported; sign in with a Limited Login ID token (id_token)",
    },
  },
};

export function isOAuthProviderType(type: string): type is OAuthProviderType {
  return (OAUTH_PROVIDER_TYPES as readonly string[]).includes(type);
}

/** How far the provider's clock may run ahead of this server's. */
const CLOCK_SKEW_SECONDS = 60;

/** Token claims each metadata field is read from, first present wins. */
const METADATA_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  email: ["email"],
  name: ["name"],
  first_name: ["given_name", "first_name"],
  last_name: ["family_name", "last_name"],
  picture: ["picture"],
};

/**
 * Verifies ID tokens for the OAuth providers. One key set per provider is kept for the life
 * of the verifier: jose fetches it on first use and again when a token names a key it lacks.
 */
export class OAuthIdTokens {
  private readonly keySets = new Map<OAuthProviderType, ReturnType<typeof createRemoteJWKSet>>();

  /** `jwksUrls` replaces a provider's published key URL (tests, proxies, mirrors). */
  constructor(private readonly jwksUrls: Partial<Record<OAuthProviderType, string>> = {}) {}

  async resolve(
    type: OAuthProviderType,
    payload: Record<string, unknown>,
    provider: AuthProviderConfig,
  ): Promise<ResolvedIdentity> {
    const issuer = OAUTH_ISSUERS[type];
    const token = payload.id_token ?? payload.idToken;
    if (typeof token !== "string" || token === "") {
      if (payload[issuer.exchanged.field] !== undefined)
        throw new AppError("AuthError", issuer.exchanged.reason);
      throw new AppError("MissingParameter", "expected an 'id_token' in the login payload");
    }
    const clientId = provider.config.clientId;
    if (typeof clientId !== "string" || clientId === "")
      throw new AppError("AuthError", `${provider.name} has no clientId configured`);
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.keySet(type), {
        issuer: [...issuer.issuers],
        audience: clientId,
        requiredClaims: ["exp", "sub"],
        clockTolerance: CLOCK_SKEW_SECONDS,
      }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new AppError("AuthError", `invalid ${type} ID token: ${reason}`, { cause: error });
    }
    if (typeof claims.sub !== "string" || claims.sub === "")
      throw new AppError("AuthError", `invalid ${type} ID token: 'sub' is missing`);
    return {
      identity: { id: claims.sub, provider_type: provider.type, provider_id: provider.name },
      data: metadata(claims, provider),
    };
  }

  private keySet(type: OAuthProviderType): ReturnType<typeof createRemoteJWKSet> {
    let keys = this.keySets.get(type);
    if (keys === undefined) {
      keys = createRemoteJWKSet(new URL(this.jwksUrls[type] ?? OAUTH_ISSUERS[type].jwksUrl));
      this.keySets.set(type, keys);
    }
    return keys;
  }
}

function metadata(claims: JWTPayload, provider: AuthProviderConfig): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of provider.metadataFields) {
    const claimNames = Object.hasOwn(METADATA_CLAIMS, field.name)
      ? (METADATA_CLAIMS[field.name] ?? [])
      : [field.name];
    const value = claimNames
      .map((name) => (Object.hasOwn(claims, name) ? claims[name] : undefined))
      .find((found) => found !== undefined);
    if (value === undefined) {
      if (field.required)
        throw new AppError("AuthError", `expected field '${field.name}' in the ID token`);
      continue;
    }
    data[
      field.field_name !== undefined && field.field_name !== "" ? field.field_name : field.name
    ] = value;
  }
  return data;
}

/** `--oauth-jwks <provider>=<url>`, repeatable: one provider's key set URL over its published one. */
export function parseOAuthJwks(
  text: string,
  previous: Partial<Record<OAuthProviderType, string>> = {},
): Partial<Record<OAuthProviderType, string>> {
  const at = text.indexOf("=");
  const type = at < 0 ? text : text.slice(0, at);
  const url = at < 0 ? "" : text.slice(at + 1);
  if (!isOAuthProviderType(type))
    throw new Error(
      `unknown OAuth provider "${type}"; expected ${OAUTH_PROVIDER_TYPES.join(", ")}`,
    );
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new Error(`the key set of ${type} must be an http(s) URL, not "${url}"`);
  return { ...previous, [type]: url };
}

/**
 * Authentication: turns provider credentials into users and sessions, and tokens back into
 * the caller they stand for. Providers are looked up by their config name; a disabled or
 * absent provider is `AuthProviderNotFound`. New users run the app's on-user-creation function
 * before their first token, so its writes are already in `user_data`.
 */
import { AppError } from "@atoll/protocol";
import { ObjectId } from "bson";
import type { UserContext } from "../callerContext.js";
import type { AppConfig, AuthProviderConfig } from "../config/types.js";
import type { DataService } from "../data/types.js";
import { AccessRevocations } from "./AccessRevocations.js";
import { AuthThrottle } from "./AuthThrottle.js";
import { ApiKeyStore } from "./ApiKeyStore.js";
import { AuthCollection, authCollection } from "./authCollections.js";
import { readCustomUserData } from "./customUserData.js";
import type { AuthEvents, AuthEventType } from "./AuthEvents.js";
import type { FunctionRunner } from "./FunctionRunner.js";
import { resolveCustomFunction } from "./providers/customFunction.js";
import { resolveCustomToken } from "./providers/customToken.js";
import { EmailPasswordAccounts } from "./providers/EmailPasswordAccounts.js";
import { isOAuthProviderType, OAuthIdTokens } from "./providers/oauthIdToken.js";
import type { OAuthProviderType } from "./providers/oauthIdToken.js";
import type { LinkDelivery } from "./providers/EmailPasswordAccounts.js";
import type { ResolvedIdentity } from "./providers/ResolvedIdentity.js";
import { hashForUnknownAccounts, scryptPasswords, type PasswordHasher } from "./passwords.js";
import { newId } from "./secrets.js";
import { SessionStore } from "./SessionStore.js";
import { loadOrCreateSigningKey } from "./signingKey.js";
import { TokenIssuer } from "./tokens.js";
import { UserStore } from "./UserStore.js";
import type { StoredUser } from "./UserStore.js";

export interface LoginResult {
  readonly access_token: string;
  readonly refresh_token: string | null;
  readonly user_id: string;
  readonly device_id: string;
}

/** Who a valid token stands for. */
export interface Caller {
  readonly user: StoredUser;
  readonly context: UserContext;
  readonly sessionId: string;
  readonly deviceId: string;
}

const NO_DEVICE = "000000000000000000000000";

function requestedDeviceId(payload: Record<string, unknown>): string | undefined {
  const options = payload.options;
  const device =
    typeof options === "object" && options !== null
      ? (options as Record<string, unknown>).device
      : undefined;
  const deviceId =
    typeof device === "object" && device !== null
      ? (device as Record<string, unknown>).deviceId
      : undefined;
  const hex =
    deviceId instanceof ObjectId
      ? deviceId.toHexString()
      : typeof deviceId === "string"
        ? deviceId
        : undefined;
  return hex !== undefined && ObjectId.isValid(hex) && hex.length === 24 && hex !== NO_DEVICE
    ? hex
    : undefined;
}

/** The provider's own payload: without the SDK's `options` and core's `provider` echo. */
function providerPayload(payload: Record<string, unknown>): Record<string, unknown> {
  const { options: _options, provider: _provider, ...rest } = payload;
  return rest;
}

export function userContextOf(user: StoredUser, customData: Record<string, unknown>): UserContext {
  return {
    id: user.id,
    type: user.type,
    data: user.data,
    custom_data: customData,
    identities: user.identities.map((identity) => ({
      id: identity.id,
      provider_type: identity.provider_type,
    })),
  };
}

export class AuthService {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly apiKeys: ApiKeyStore;
  /** Users and sessions that lose access are announced here (within this process). */
  readonly revocations = new AccessRevocations();
  private readonly tokens: TokenIssuer;

  private constructor(
    private readonly config: AppConfig,
    private readonly system: DataService,
    private readonly functions: FunctionRunner,
    private readonly deliverLink: LinkDelivery,
    private readonly passwords: PasswordHasher,
    /** Limits on failed logins and on confirmation/reset sends (the HTTP routes apply them). */
    readonly throttle: AuthThrottle,
    key: Uint8Array,
    private readonly events: AuthEvents | undefined,
    private readonly oauth: OAuthIdTokens,
  ) {
    this.users = new UserStore(system);
    this.sessions = new SessionStore(system);
    this.apiKeys = new ApiKeyStore(system);
    this.tokens = new TokenIssuer(key, config.appId);
  }

  static async create(options: {
    config: AppConfig;
    system: DataService;
    functions: FunctionRunner;
    deliverLink: LinkDelivery;
    passwords?: PasswordHasher;
    throttle?: AuthThrottle;
    /** Told of every user creation, login and deletion (authentication triggers). */
    events?: AuthEvents;
    /** Where Google's, Apple's and Facebook's signing keys are fetched, over their published URLs. */
    oauthJwksUrls?: Partial<Record<OAuthProviderType, string>>;
  }): Promise<AuthService> {
    const key = await loadOrCreateSigningKey(options.system);
    // Ready before the first login for an unknown email, which must not pay for making it.
    await hashForUnknownAccounts();
    return new AuthService(
      options.config,
      options.system,
      options.functions,
      options.deliverLink,
      options.passwords ?? scryptPasswords,
      options.throttle ?? new AuthThrottle(),
      key,
      options.events,
      new OAuthIdTokens(options.oauthJwksUrls),
    );
  }

  provider(name: string): AuthProviderConfig {
    const provider = this.config.authProviders.get(name);
    if (provider === undefined || provider.disabled) {
      throw new AppError("AuthProviderNotFound", `authentication via '${name}' is unsupported`);
    }
    return provider;
  }

  emailPassword(providerName = "local-userpass"): EmailPasswordAccounts {
    const provider = this.provider(providerName);
    if (provider.type !== "local-userpass")
      throw new AppError(
        "AuthProviderNotFound",
        `'${providerName}' is not an email/password provider`,
      );
    return new EmailPasswordAccounts(
      this.system,
      provider,
      this.functions,
      this.deliverLink,
      this.passwords,
    );
  }

  private async resolve(
    provider: AuthProviderConfig,
    payload: Record<string, unknown>,
  ): Promise<ResolvedIdentity> {
    const self = { provider_type: provider.type, provider_id: provider.name };
    switch (provider.type) {
      case "anon-user":
        return { identity: { id: newId(), ...self }, data: {} };
      case "local-userpass":
        return this.emailPassword(provider.name).logIn(payload);
      case "api-key": {
        const owner = await this.apiKeys.authenticate(payload.key);
        if (owner.kind === "server")
          return {
            identity: { id: owner.keyId, ...self },
            data: { name: owner.name },
            server: true,
          };
        return { identity: { id: owner.keyId, ...self }, data: {}, userId: owner.userId };
      }
      case "custom-token":
        return resolveCustomToken(payload, provider);
      case "custom-function":
        return resolveCustomFunction(payload, provider, this.functions);
      default:
        if (isOAuthProviderType(provider.type))
          return this.oauth.resolve(provider.type, payload, provider);
        throw new AppError(
          "AuthProviderNotFound",
          `authentication via '${provider.type}' is unsupported`,
        );
    }
  }

  /**
   * The user credentials sent to an HTTPS endpoint stand for, without opening a session: the
   * provider of that type must be enabled, and an identity seen for the first time becomes a
   * new user only with `createUser` (the endpoint's `create_user_on_auth`).
   */
  async userForCredentials(
    providerType: string,
    payload: Record<string, unknown>,
    createUser: boolean,
  ): Promise<StoredUser> {
    const provider = [...this.config.authProviders.values()].find(
      (candidate) => candidate.type === providerType && !candidate.disabled,
    );
    if (provider === undefined)
      throw new AppError(
        "AuthProviderNotFound",
        `authentication via '${providerType}' is unsupported`,
      );
    const resolved = await this.resolve(provider, payload);
    const known =
      resolved.userId !== undefined ||
      (await this.users.findByIdentity(resolved.identity.provider_type, resolved.identity.id)) !==
        undefined;
    if (!known && !createUser) throw new AppError("AuthError", "user not found");
    const user = await this.userFor(resolved);
    if (user.disabled) throw new AppError("UserDisabled", "user is disabled");
    return user;
  }

  /** The user's custom user data document, read now (not from a token). */
  customDataOf(userId: string): Promise<Record<string, unknown>> {
    return readCustomUserData(this.system, this.config.customUserData, userId);
  }

  private async userFor(resolved: ResolvedIdentity): Promise<StoredUser> {
    if (resolved.userId !== undefined) {
      const owner = await this.users.get(resolved.userId);
      if (owner === undefined) throw new AppError("AuthError", "invalid API key");
      return owner;
    }
    const existing = await this.users.findByIdentity(
      resolved.identity.provider_type,
      resolved.identity.id,
    );
    if (existing !== undefined) {
      const changed = Object.entries(resolved.data).some(
        ([key, value]) => JSON.stringify(existing.data[key]) !== JSON.stringify(value),
      );
      return changed ? this.users.updateData(existing, resolved.data) : existing;
    }
    const { user, created } = await this.users.create(
      resolved.identity,
      resolved.data,
      resolved.server === true ? "server" : "normal",
    );
    if (created) {
      await this.runOnUserCreation(user);
      await this.announce("CREATE", [resolved.identity.provider_type], user);
    }
    return user;
  }

  private async announce(
    operationType: AuthEventType,
    providers: readonly string[],
    user: StoredUser,
  ): Promise<void> {
    await this.events?.announce({ operationType, providers, user: userContextOf(user, {}) });
  }

  private async runOnUserCreation(user: StoredUser): Promise<void> {
    const functionName = this.config.customUserData?.onUserCreationFunctionName;
    if (functionName === undefined || functionName === "") return;
    const context = userContextOf(user, {});
    try {
      await this.functions.execute(functionName, [context], context, { asSystem: true });
    } catch (error) {
      await this.users.delete(user);
      throw error;
    }
  }

  private async accessToken(
    user: StoredUser,
    sessionId: string,
    deviceId: string,
  ): Promise<string> {
    const userData = await readCustomUserData(this.system, this.config.customUserData, user.id);
    return this.tokens.issueAccess({ userId: user.id, sessionId, deviceId, userData });
  }

  /** Logs in (or, with `linkTo`, adds the identity to that caller's user). */
  async logIn(
    providerName: string,
    body: Record<string, unknown>,
    linkTo?: Caller,
  ): Promise<LoginResult> {
    const provider = this.provider(providerName);
    const resolved = await this.resolve(provider, providerPayload(body));
    if (linkTo !== undefined) {
      const linked = await this.users.link(linkTo.user, resolved.identity, resolved.data);
      const access = await this.accessToken(linked, linkTo.sessionId, linkTo.deviceId);
      return {
        access_token: access,
        refresh_token: null,
        user_id: linked.id,
        device_id: linkTo.deviceId,
      };
    }
    const user = await this.userFor(resolved);
    if (user.disabled) throw new AppError("UserDisabled", "user is disabled");
    const deviceId = requestedDeviceId(body) ?? newId();
    const { session, token } = await this.sessions.create(
      user.id,
      deviceId,
      (sessionId) => this.tokens.issueRefresh({ userId: user.id, sessionId }),
      provider.type === "api-key" ? resolved.identity.id : undefined,
    );
    const access = await this.accessToken(user, session.id, deviceId);
    await this.announce("LOGIN", [provider.type], user);
    return { access_token: access, refresh_token: token, user_id: user.id, device_id: deviceId };
  }

  private async liveUser(userId: string): Promise<StoredUser> {
    const user = await this.users.get(userId);
    if (user === undefined) throw new AppError("InvalidSession", "invalid session: user not found");
    if (user.disabled) throw new AppError("UserDisabled", "user is disabled");
    return user;
  }

  /**
   * Throws `InvalidSession` or `UserDisabled` unless the user still exists, is enabled and the
   * session is live: what a long-lived connection re-checks without re-reading its token.
   */
  async checkSession(userId: string, sessionId: string): Promise<void> {
    if (!(await this.sessions.exists(sessionId))) {
      throw new AppError("InvalidSession", "invalid session: session has been revoked");
    }
    await this.liveUser(userId);
  }

  /** The caller an access token stands for; its session must still be live. */
  async authenticate(accessToken: string): Promise<Caller> {
    const claims = await this.tokens.verifyAccess(accessToken);
    if (!(await this.sessions.exists(claims.sessionId))) {
      throw new AppError("InvalidSession", "invalid session: session has been revoked");
    }
    const user = await this.liveUser(claims.userId);
    return {
      user,
      context: userContextOf(user, claims.userData),
      sessionId: claims.sessionId,
      deviceId: claims.deviceId,
    };
  }

  /** The caller a refresh token stands for (session, API-key routes). */
  async authenticateRefresh(refreshToken: string): Promise<Caller> {
    const claims = await this.tokens.verifyRefresh(refreshToken);
    const session = await this.sessions.findByRefreshToken(claims.sessionId, refreshToken);
    if (session === undefined)
      throw new AppError("InvalidSession", "invalid session: failed to find refresh token");
    const user = await this.liveUser(session.userId);
    return {
      user,
      context: userContextOf(user, {}),
      sessionId: session.id,
      deviceId: session.deviceId,
    };
  }

  /** A new access token, for a caller from `authenticateRefresh`, with freshly read custom user data. */
  async refresh(caller: Caller): Promise<{ access_token: string }> {
    return { access_token: await this.accessToken(caller.user, caller.sessionId, caller.deviceId) };
  }

  async logOut(caller: Caller): Promise<void> {
    await this.sessions.revoke(caller.sessionId);
    this.revocations.announce({
      userId: caller.user.id,
      sessionId: caller.sessionId,
      reason: "session revoked",
    });
  }

  /** Disabling or deleting an API key also ends the sessions logged in with it. */
  async setApiKeyDisabled(userId: string, keyId: string, disabled: boolean): Promise<void> {
    await this.apiKeys.setDisabled(userId, keyId, disabled);
    if (disabled) await this.endSessionsOfApiKey(userId, keyId);
  }

  async deleteApiKey(userId: string, keyId: string): Promise<void> {
    await this.apiKeys.delete(userId, keyId);
    await this.endSessionsOfApiKey(userId, keyId);
  }

  /** Deleting a server key also deletes the server user it logged in (and its sessions). */
  async deleteServerApiKey(keyId: string): Promise<void> {
    await this.apiKeys.deleteServerKey(keyId);
    const user = await this.users.findByIdentity("api-key", keyId);
    if (user !== undefined) await this.deleteUser(user.id);
  }

  private async endSessionsOfApiKey(userId: string, keyId: string): Promise<void> {
    for (const sessionId of await this.sessions.revokeOpenedWith(keyId))
      this.revocations.announce({ userId, sessionId, reason: "session revoked" });
  }

  /** Disabling a user also ends all its sessions. */
  async setUserDisabled(userId: string, disabled: boolean): Promise<void> {
    await this.users.setDisabled(userId, disabled);
    if (!disabled) return;
    await this.sessions.revokeAllOf(userId);
    this.revocations.announce({ userId, reason: "user disabled" });
  }

  profile(caller: Caller): Record<string, unknown> {
    return {
      user_id: caller.user.id,
      domain_id: this.config.appId,
      type: caller.user.type,
      identities: caller.user.identities.map((identity) => ({ ...identity })),
      data: { ...caller.user.data },
    };
  }

  /** Deletes the user with its identities, email/password accounts, sessions and API keys. */
  async deleteUser(userId: string): Promise<void> {
    const user = await this.users.get(userId);
    if (user === undefined) throw new AppError("UserNotFound", "user not found");
    for (const identity of user.identities) {
      if (identity.provider_type === "local-userpass") {
        await authCollection(this.system, AuthCollection.userpass).deleteMany({
          identityId: identity.id,
        });
      }
    }
    await this.sessions.revokeAllOf(user.id);
    await this.apiKeys.deleteAllOf(user.id);
    await this.users.delete(user);
    this.revocations.announce({ userId: user.id, reason: "user deleted" });
    const providers = [...new Set(user.identities.map((identity) => identity.provider_type))];
    await this.announce("DELETE", providers, user);
  }
}

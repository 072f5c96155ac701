/**
 * A user of an App (Realm JS's `User`): tokens, profile, custom user data, functions and API
 * keys. Requests made as the user carry its access token; an `InvalidSession` answer gets one
 * token refresh and one retry, and a refused refresh logs the user out. Every change (tokens,
 * state, profile) is persisted by the app and reported to the user's listeners.
 */
import { errors } from "../errors.js";
import { readAccessToken } from "./accessToken.js";
import { ApiKeyAuth } from "./ApiKeyAuth.js";
import type { App } from "./App.js";
import { AppError } from "./AppError.js";
import { encodeEjson } from "./ejson.js";
import type { Credentials } from "./Credentials.js";
import { createFunctions } from "./FunctionsFactory.js";
import { Listenable } from "./Listenable.js";
import { MongoDB } from "./MongoDBCollection.js";
import type { Functions } from "./FunctionsFactory.js";
import type { StoredUser } from "./StoredUsers.js";
import type { ApiRequest, Transport } from "./Transport.js";

export const UserState = {
  LoggedIn: "LoggedIn",
  LoggedOut: "LoggedOut",
  Removed: "Removed",
} as const;
export type UserState = (typeof UserState)[keyof typeof UserState];

export interface UserIdentity {
  readonly id: string;
  readonly providerType: string;
}

/** Profile data as Realm JS names it; fields the server sends beyond these pass through. */
export interface UserProfile {
  readonly name?: string;
  readonly email?: string;
  readonly pictureUrl?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly gender?: string;
  readonly birthday?: string;
  readonly minAge?: string;
  readonly maxAge?: string;
  readonly [key: string]: unknown;
}

/** What the app does for its users; not part of the public API. */
export interface UserHost {
  readonly transport: Transport;
  /** The user's stored state changed: persist it and tell listeners. */
  changed(user: User): void;
  /** The user's session ended (logOut or a refused refresh). */
  loggedOut(user: User): void;
  /** Logs in with `credentials` linked to `user` (sends the login with `?link=true`). */
  link(user: User, credentials: Credentials): Promise<void>;
}

const NO_DEVICE = "000000000000000000000000";
const PROFILE_NAMES: Readonly<Record<string, string>> = {
  picture_url: "pictureUrl",
  picture: "pictureUrl",
  first_name: "firstName",
  last_name: "lastName",
  min_age: "minAge",
  max_age: "maxAge",
};

export class User extends Listenable {
  readonly functions: Functions;
  readonly apiKeys: ApiKeyAuth;
  private stored: StoredUser;
  private removed = false;
  private refreshing: Promise<void> | undefined;

  /** Created by the App only. */
  constructor(
    readonly app: App,
    private readonly host: UserHost,
    stored: StoredUser,
  ) {
    super();
    this.stored = stored;
    this.functions = createFunctions(
      (name, args) => this.callFunction(name, ...args),
      (name, args) => this.streamFunction(name, args),
    );
    this.apiKeys = new ApiKeyAuth((request) => this.requestWithRefreshToken(request));
  }

  get id(): string {
    return this.stored.id;
  }

  get accessToken(): string | null {
    return this.stored.accessToken;
  }

  get refreshToken(): string | null {
    return this.stored.refreshToken;
  }

  get state(): UserState {
    return this.removed ? UserState.Removed : this.stored.state;
  }

  get isLoggedIn(): boolean {
    return this.state === UserState.LoggedIn;
  }

  get providerType(): string {
    return this.stored.providerType;
  }

  get deviceId(): string | null {
    const deviceId = this.stored.deviceId;
    return deviceId === null || deviceId === NO_DEVICE ? null : deviceId;
  }

  get identities(): UserIdentity[] {
    return this.stored.profile.identities.map((identity) => ({
      id: identity.id,
      providerType: identity.provider_type,
    }));
  }

  get profile(): UserProfile {
    const profile: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.stored.profile.data)) {
      profile[PROFILE_NAMES[key] ?? key] = value;
    }
    return profile;
  }

  /** The custom user data document carried by the current access token; `{}` if none. */
  get customData(): Record<string, unknown> {
    return this.stored.accessToken === null
      ? {}
      : readAccessToken(this.stored.accessToken).userData;
  }

  /** Gets a new access token (which carries the latest custom user data) and returns that data. */
  async refreshCustomData(): Promise<Record<string, unknown>> {
    await this.refreshAccessToken();
    return this.customData;
  }

  callFunction(name: string, ...args: unknown[]): Promise<unknown> {
    return this.callFunctionOnService(name, args);
  }

  /**
   * Realm JS's streaming call: `name` on the service `serviceName`, answered as server-sent
   * events; resolves once the server has answered, with the raw bytes as they come. The server
   * streams only a data source's `watch`: anything else is refused with an `AppError`.
   */
  callFunctionStreaming(
    name: string,
    serviceName: string,
    ...args: unknown[]
  ): Promise<AsyncIterable<Uint8Array>> {
    return this.streamFunction(name, args, serviceName);
  }

  /** MongoDB data access through the named data source (e.g. "mongodb-atlas"), under the app's rules. */
  mongoClient(serviceName: string): MongoDB {
    if (typeof serviceName !== "string" || serviceName === "")
      throw errors.invalidArgument("mongoClient needs the data source's service name");
    return new MongoDB(
      {
        call: (action, argument) => this.callFunctionOnService(action, [argument], serviceName),
        stream: (action, argument) => this.streamFunction(action, [argument], serviceName),
      },
      serviceName,
    );
  }

  /**
   * Forgets the tokens (the user's sync sessions go offline), then ends the session on the
   * server (best effort).
   */
  async logOut(): Promise<void> {
    if (this.state !== UserState.LoggedIn) return;
    const refreshToken = this.stored.refreshToken;
    // Locally first, as Realm does: the user's sync sessions go offline before the server ends
    // the session (which would otherwise cut their connections with an authentication error).
    this.endSession();
    if (refreshToken === null) return;
    try {
      await this.host.transport.request({
        method: "DELETE",
        path: "/auth/session",
        bearer: refreshToken,
      });
    } catch {
      // The session may already be gone on the server; locally the user is logged out anyway.
    }
  }

  /** Adds another identity to this user, as Realm JS's `linkCredentials`. */
  async linkCredentials(credentials: Credentials): Promise<void> {
    if (credentials.providerType === "anon-user")
      throw errors.invalidArgument("Cannot add anonymous credentials to an existing user");
    this.requireLoggedIn();
    await this.host.link(this, credentials);
  }

  /** Gets a new access token with the refresh token; concurrent calls share one request. */
  refreshAccessToken(): Promise<void> {
    this.refreshing ??= this.fetchAccessToken().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      state: this.state,
      providerType: this.providerType,
      deviceId: this.deviceId,
      identities: this.identities,
      profile: this.profile,
      customData: this.customData,
    };
  }

  /** A request authorised by the access token, refreshed and retried once on `InvalidSession`. */
  requestWithAccessToken(request: Omit<ApiRequest, "bearer">): Promise<unknown> {
    return this.withAccessToken((bearer) => this.host.transport.request({ ...request, bearer }));
  }

  /** Sends with the access token; on `InvalidSession` refreshes it once and sends again. */
  private async withAccessToken<T>(send: (bearer: string) => Promise<T>): Promise<T> {
    try {
      return await send(this.requireLoggedIn());
    } catch (error) {
      if (!(error instanceof AppError && error.isInvalidSession)) throw error;
    }
    await this.refreshAccessToken();
    return send(this.requireLoggedIn());
  }

  /** A request authorised by the refresh token; `InvalidSession` means the session is over. */
  async requestWithRefreshToken(request: Omit<ApiRequest, "bearer">): Promise<unknown> {
    this.requireLoggedIn();
    const refreshToken = this.stored.refreshToken;
    if (refreshToken === null) throw notLoggedIn();
    try {
      return await this.host.transport.request({ ...request, bearer: refreshToken });
    } catch (error) {
      if (error instanceof AppError && error.isInvalidSession && this.isLoggedIn) this.endSession();
      throw error;
    }
  }

  private callFunctionOnService(name: string, args: unknown[], service?: string): Promise<unknown> {
    return this.requestWithAccessToken({
      method: "POST",
      path: "/functions/call",
      appScoped: true,
      body: functionCallBody(name, args, service),
    });
  }

  /** The streamed form of a call: a GET whose request is base64 EJSON in `baas_request`. */
  private streamFunction(
    name: string,
    args: unknown[],
    service?: string,
  ): Promise<AsyncIterable<Uint8Array>> {
    const encoded = Buffer.from(encodeEjson(functionCallBody(name, args, service))).toString(
      "base64",
    );
    const path = `/functions/call?baas_request=${encodeURIComponent(encoded)}`;
    return this.withAccessToken((bearer) =>
      this.host.transport.stream({ method: "GET", path, appScoped: true, bearer }),
    );
  }

  /** The persisted form (the app writes it to disk). */
  snapshot(): StoredUser {
    return this.stored;
  }

  /** Takes over a login's (or link's) answer and profile. */
  update(patch: Partial<StoredUser>): void {
    this.removed = false;
    this.stored = { ...this.stored, ...patch };
    this.host.changed(this);
    this.notifyListeners();
  }

  /** The app dropped the user (removeUser, deleteUser, or an anonymous user logging out). */
  markRemoved(): void {
    this.removed = true;
    this.stored = { ...this.stored, accessToken: null, refreshToken: null, state: "LoggedOut" };
    this.notifyListeners();
  }

  private endSession(): void {
    this.stored = { ...this.stored, accessToken: null, refreshToken: null, state: "LoggedOut" };
    this.host.loggedOut(this);
    // An anonymous user is removed by the app at this point, which has told the listeners.
    if (!this.removed) this.notifyListeners();
  }

  private async fetchAccessToken(): Promise<void> {
    const answer = await this.requestWithRefreshToken({ method: "POST", path: "/auth/session" });
    const accessToken =
      typeof answer === "object" && answer !== null
        ? (answer as Record<string, unknown>).access_token
        : undefined;
    if (typeof accessToken !== "string")
      throw new AppError({
        errorCode: "MissingJsonKey",
        error: "the session answer has no 'access_token'",
      });
    if (this.isLoggedIn) this.update({ accessToken });
  }

  private requireLoggedIn(): string {
    const accessToken = this.stored.accessToken;
    if (!this.isLoggedIn || accessToken === null) throw notLoggedIn();
    return accessToken;
  }
}

function functionCallBody(name: string, args: unknown[], service: string | undefined) {
  return service === undefined ? { name, arguments: args } : { name, arguments: args, service };
}

function notLoggedIn(): AppError {
  return new AppError({
    statusCode: 0,
    errorCode: "ClientUserNotLoggedIn",
    error: "the user is not logged in",
  });
}

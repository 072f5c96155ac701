/**
 * An App Services app as a client sees it (Realm JS's `App`): logs users in with any
 * provider, keeps them (current user first) in a JSON file under
 * `<baseFilePath>/mongodb-realm/<appId>/` so a new process finds them again, and gives the
 * sync client the app's WebSocket route.
 */
import { ObjectId } from "bson";
import { join, resolve } from "node:path";
import { errors } from "../errors.js";
import { readAccessToken } from "./accessToken.js";
import { AppError } from "./AppError.js";
import { Credentials } from "./Credentials.js";
import { EmailPasswordAuth } from "./EmailPasswordAuth.js";
import { Listenable } from "./Listenable.js";
import { StoredUsers } from "./StoredUsers.js";
import type { ServerIdentity, ServerProfile, StoredUser } from "./StoredUsers.js";
import { Transport } from "./Transport.js";
import type { ApiRequest } from "./Transport.js";
import { User } from "./User.js";
import type { UserHost } from "./User.js";

export interface AppConfiguration {
  readonly id: string;
  /** Default `http://127.0.0.1:8080`. */
  readonly baseUrl?: string;
  /** The directory under which `mongodb-realm/<appId>/` holds the app's files; default the working directory. */
  readonly baseFilePath?: string;
  readonly fetch?: typeof fetch;
}

export const DEFAULT_BASE_URL = "http://127.0.0.1:8080";
const SDK_VERSION = "0.1.0";

interface LoginAnswer {
  readonly userId: string;
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly deviceId: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function missingKey(what: string, key: string): AppError {
  return new AppError({ errorCode: "MissingJsonKey", error: `the ${what} answer has no '${key}'` });
}

function loginAnswerOf(answer: unknown, linking: boolean): LoginAnswer {
  const record = isRecord(answer) ? answer : {};
  const text = (key: string): string => {
    const value = record[key];
    if (typeof value !== "string") throw missingKey("login", key);
    return value;
  };
  const refreshToken = record.refresh_token;
  if (!linking && typeof refreshToken !== "string") throw missingKey("login", "refresh_token");
  return {
    userId: text("user_id"),
    accessToken: text("access_token"),
    refreshToken: typeof refreshToken === "string" ? refreshToken : null,
    deviceId: text("device_id"),
  };
}

function profileOf(answer: unknown): ServerProfile {
  if (!isRecord(answer) || !Array.isArray(answer.identities) || !isRecord(answer.data))
    throw missingKey("profile", "identities' or 'data");
  const identities: ServerIdentity[] = answer.identities.filter(isRecord).map((identity) => ({
    id: String(identity.id),
    provider_type: String(identity.provider_type),
  }));
  return { type: String(answer.type ?? "normal"), identities, data: answer.data };
}

export class App extends Listenable {
  static readonly Credentials = Credentials;
  private static readonly shared = new Map<string, App>();

  /** The one App this process keeps for `id` (created with the default configuration on first use). */
  static get(id: string): App {
    let app = App.shared.get(id);
    if (app === undefined) {
      app = new App(id);
      App.shared.set(id, app);
    }
    return app;
  }

  /** Realm JS's older name for `App.get`. */
  static getApp(id: string): App {
    return App.get(id);
  }

  readonly id: string;
  readonly baseUrl: string;
  /** `<baseFilePath>/mongodb-realm/<appId>`: where this app's files (users, realms) live. */
  readonly fileDirectory: string;
  readonly emailPasswordAuth: EmailPasswordAuth;
  private readonly transport: Transport;
  private readonly storedUsers: StoredUsers;
  private readonly host: UserHost;
  /** Most recently logged in first. */
  private users: User[] = [];
  private current: User | null = null;
  constructor(config: string | AppConfiguration) {
    super();
    const options = typeof config === "string" ? { id: config } : config;
    if (typeof options.id !== "string" || options.id === "")
      throw errors.invalidArgument("an App needs a non-empty id");
    this.id = options.id;
    this.baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    this.fileDirectory = join(resolve(options.baseFilePath ?? "."), "mongodb-realm", this.id);
    this.transport = new Transport(this.id, this.baseUrl, options.fetch ?? globalThis.fetch);
    this.emailPasswordAuth = new EmailPasswordAuth(this.transport);
    this.storedUsers = new StoredUsers(this.fileDirectory);
    this.host = {
      transport: this.transport,
      changed: () => this.save(),
      loggedOut: (user) => this.afterLogOut(user),
      link: (user, credentials) => this.link(user, credentials),
    };
    this.restore();
  }

  get currentUser(): User | null {
    return this.current;
  }

  get allUsers(): Record<string, User> {
    return Object.fromEntries(this.users.map((user) => [user.id, user]));
  }

  async logIn(credentials: Credentials): Promise<User> {
    if (credentials.providerType === "anon-user" && credentials.reuse) {
      const anonymous = this.users.find(
        (user) => user.isLoggedIn && user.providerType === "anon-user",
      );
      if (anonymous !== undefined) {
        this.switchUser(anonymous);
        return anonymous;
      }
    }
    const answer = loginAnswerOf(
      await this.transport.request(this.loginRequest(credentials, false)),
      false,
    );
    const profile = await this.profileFor(answer.accessToken);
    const stored: StoredUser = {
      id: answer.userId,
      accessToken: answer.accessToken,
      refreshToken: answer.refreshToken,
      state: "LoggedIn",
      deviceId: answer.deviceId,
      providerType: credentials.providerType,
      profile,
    };
    let user = this.users.find((candidate) => candidate.id === answer.userId);
    this.users = [...(user === undefined ? [] : [user]), ...this.users.filter((u) => u !== user)];
    if (user === undefined) {
      user = new User(this, this.host, stored);
      this.users.unshift(user);
    }
    this.current = user;
    user.update(stored);
    return user;
  }

  /** Makes a logged-in user of this app the current user. */
  switchUser(user: User): void {
    if (!this.users.includes(user) || !user.isLoggedIn)
      throw errors.invalidArgument("User is no longer valid or is logged out");
    this.users = [user, ...this.users.filter((other) => other !== user)];
    this.current = user;
    this.save();
  }

  /** Logs the user out (if logged in) and forgets it on this device. */
  async removeUser(user: User): Promise<void> {
    this.requireKnown(user);
    await user.logOut();
    this.forget(user);
  }

  /** Deletes the user on the server, then forgets it on this device. */
  async deleteUser(user: User): Promise<void> {
    this.requireKnown(user);
    await user.requestWithAccessToken({ method: "DELETE", path: "/auth/delete" });
    this.forget(user);
  }

  /** For the sync client: the WebSocket URL from the location endpoint (cached). */
  async syncRoute(): Promise<string> {
    return (await this.transport.locate()).syncRoute;
  }

  private async link(user: User, credentials: Credentials): Promise<void> {
    const answer = loginAnswerOf(
      await user.requestWithAccessToken(this.loginRequest(credentials, true)),
      true,
    );
    if (answer.userId !== user.id)
      throw new AppError({
        errorCode: "BadResponse",
        error: `linking answered for user ${answer.userId}, not ${user.id}`,
      });
    const profile = await this.profileFor(answer.accessToken);
    user.update({ accessToken: answer.accessToken, profile });
  }

  private loginRequest(credentials: Credentials, link: boolean): ApiRequest {
    return {
      method: "POST",
      path: `/auth/providers/${credentials.providerType}/login${link ? "?link=true" : ""}`,
      appScoped: true,
      body: { ...credentials.payload, options: { device: this.deviceInfo() } },
    };
  }

  private async profileFor(accessToken: string): Promise<ServerProfile> {
    return profileOf(
      await this.transport.request({ method: "GET", path: "/auth/profile", bearer: accessToken }),
    );
  }

  private deviceInfo(): Record<string, unknown> {
    const known = this.users.map((user) => user.deviceId).find((id) => id !== null);
    return {
      ...(known !== undefined && ObjectId.isValid(known) ? { deviceId: new ObjectId(known) } : {}),
      platform: process.platform,
      platformVersion: process.version,
      sdk: "atoll",
      sdkVersion: SDK_VERSION,
    };
  }

  private requireKnown(user: User): void {
    if (!this.users.includes(user)) throw errors.invalidArgument("User has already been removed");
  }

  /** Anonymous users are gone once logged out (Realm does the same); others stay, logged out. */
  private afterLogOut(user: User): void {
    if (user.providerType === "anon-user") {
      this.forget(user);
      return;
    }
    if (this.current === user) this.current = this.users.find((other) => other.isLoggedIn) ?? null;
    this.save();
  }

  private forget(user: User): void {
    this.users = this.users.filter((other) => other !== user);
    if (this.current === user) this.current = this.users.find((other) => other.isLoggedIn) ?? null;
    user.markRemoved();
    this.save();
  }

  private restore(): void {
    const list = this.storedUsers.load();
    this.users = list.users.map((stored) => new User(this, this.host, stored));
    this.current =
      this.users.find((user) => user.id === list.currentUserId && user.isLoggedIn) ?? null;
  }

  private save(): void {
    this.storedUsers.save({
      currentUserId: this.current?.id ?? null,
      users: this.users.map((user) => user.snapshot()),
    });
    this.notifyListeners();
  }
}

/** The expiry (ms since the epoch) of a user's access token, for the sync client. */
export function accessTokenExpiry(user: User): number | undefined {
  return user.accessToken === null ? undefined : readAccessToken(user.accessToken).expiresAt;
}

/**
 * What a user logs in with (Realm JS's `Credentials`): the provider's route name and the
 * payload the server's login route takes for it.
 */
export const ProviderType = {
  AnonUser: "anon-user",
  ApiKey: "api-key",
  LocalUserPass: "local-userpass",
  CustomFunction: "custom-function",
  CustomToken: "custom-token",
} as const;
export type ProviderType = (typeof ProviderType)[keyof typeof ProviderType];

export class Credentials {
  private constructor(
    readonly providerType: ProviderType,
    readonly payload: Readonly<Record<string, unknown>>,
    /** Anonymous only: log in as the existing anonymous user when there is one. */
    readonly reuse: boolean = false,
  ) {}

  /** With `reuse` (the default) a logged-in anonymous user of the app is returned again. */
  static anonymous(reuse = true): Credentials {
    return new Credentials(ProviderType.AnonUser, {}, reuse);
  }

  static emailPassword(email: string, password: string): Credentials;
  static emailPassword(credentials: { email: string; password: string }): Credentials;
  static emailPassword(
    emailOrCredentials: string | { email: string; password: string },
    password?: string,
  ): Credentials {
    const { email, password: secret } =
      typeof emailOrCredentials === "string"
        ? { email: emailOrCredentials, password: password ?? "" }
        : emailOrCredentials;
    return new Credentials(ProviderType.LocalUserPass, { username: email, password: secret });
  }

  /** A user API key (or a server API key). */
  static apiKey(key: string): Credentials {
    return new Credentials(ProviderType.ApiKey, { key });
  }

  /** A JSON Web Token from a third-party provider (custom JWT authentication). */
  static jwt(token: string): Credentials {
    return new Credentials(ProviderType.CustomToken, { token });
  }

  /** Any document; the app's custom authentication function receives it. */
  static function(payload: Record<string, unknown>): Credentials {
    return new Credentials(ProviderType.CustomFunction, { ...payload });
  }
}

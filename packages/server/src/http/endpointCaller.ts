/**
 * Who calls an HTTPS endpoint. A function that runs as system, as a fixed user or as a
 * script's user (its `run_as_*` settings, "System", "User ID" and "Script" authentication in
 * App Services) needs no credentials: the caller is the system user. Otherwise
 * ("Application" authentication) the request carries them in headers, as App Services reads
 * them: `Authorization: Bearer <access token>`, `apiKey`, `email` with `password`, or
 * `jwtTokenString` (custom JWT). `fetch_custom_user_data` reads the user's custom data now;
 * without it `custom_data` is empty.
 */
import { AppError } from "@atoll/protocol";
import type { Context } from "hono";
import { userContextOf } from "../auth/AuthService.js";
import type { StoredUser } from "../auth/UserStore.js";
import { SYSTEM_USER, type UserContext } from "../callerContext.js";
import type { EndpointConfig, FunctionDefinition } from "../config/types.js";
import { isCredentialFailure, throttleAddress } from "./authRoutes.js";
import { tokenOf } from "./bearer.js";
import type { HttpDeps, HttpEnv } from "./HttpDeps.js";

export function needsCredentials(definition: FunctionDefinition): boolean {
  return (
    !definition.run_as_system &&
    definition.run_as_user_id === "" &&
    definition.run_as_user_id_script_source === ""
  );
}

export async function endpointCaller(
  c: Context<HttpEnv>,
  deps: HttpDeps,
  endpoint: EndpointConfig,
  definition: FunctionDefinition,
): Promise<UserContext> {
  if (!needsCredentials(definition)) return SYSTEM_USER;
  const user = await credentialUser(c, deps, endpoint);
  const customData = endpoint.fetchCustomUserData ? await deps.auth.customDataOf(user.id) : {};
  return userContextOf(user, customData);
}

async function credentialUser(
  c: Context<HttpEnv>,
  deps: HttpDeps,
  endpoint: EndpointConfig,
): Promise<StoredUser> {
  const header = (name: string) => c.req.header(name);
  const token = tokenOf(header("authorization"), undefined);
  if (token !== undefined) {
    const caller = await deps.auth.authenticate(token);
    c.set("caller", caller);
    return caller.user;
  }
  const create = endpoint.createUserOnAuth;
  const apiKey = header("apiKey");
  const email = header("email");
  const password = header("password");
  const jwt = header("jwtTokenString");
  if (apiKey !== undefined)
    return throttled(c, deps, undefined, () =>
      deps.auth.userForCredentials("api-key", { key: apiKey }, false),
    );
  if (email !== undefined && password !== undefined)
    return throttled(c, deps, email, () =>
      deps.auth.userForCredentials("local-userpass", { username: email, password }, false),
    );
  if (jwt !== undefined)
    return throttled(c, deps, undefined, () =>
      deps.auth.userForCredentials("custom-token", { token: jwt }, create),
    );
  throw new AppError("AuthError", "no authentication methods were specified");
}

/** Credentials in headers are logins: failures count against the same limits as the login route. */
async function throttled(
  c: Context<HttpEnv>,
  deps: HttpDeps,
  account: string | undefined,
  check: () => Promise<StoredUser>,
): Promise<StoredUser> {
  const address = throttleAddress(c);
  deps.auth.throttle.checkLogin(account, address);
  try {
    const user = await check();
    deps.auth.throttle.loginSucceeded(account);
    return user;
  } catch (error) {
    if (isCredentialFailure(error)) deps.auth.throttle.loginFailed(account, address);
    throw error;
  }
}

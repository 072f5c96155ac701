/**
 * App-scoped auth routes: provider login (and `?link=true` linking) and the email/password
 * flows. Every login is logged as an `auth` entry, success or failure (never with a password,
 * token or key). Failed logins and confirmation/reset sends are throttled per account and
 * per client address (`AuthThrottle`).
 */
import { AppError } from "@atoll/protocol";
import { Hono } from "hono";
import type { Context } from "hono";
import type { EmailPasswordAccounts } from "../auth/providers/EmailPasswordAccounts.js";
import { accessCaller } from "./bearer.js";
import { ejsonBody } from "./body.js";
import type { HttpDeps, HttpEnv } from "./HttpDeps.js";
import { emptyResponse, jsonResponse } from "./responses.js";

type UserpassAction = (
  accounts: EmailPasswordAccounts,
  body: Record<string, unknown>,
) => Promise<void>;

/** Actions that send mail or run the app's confirmation/reset function: throttled. */
const SENDING_ACTIONS = new Set(["confirm/send", "confirm/call", "reset/send", "reset/call"]);

/** Refusals of the credentials themselves (not of the request's shape): counted as failures. */
export function isCredentialFailure(error: unknown): boolean {
  return (
    error instanceof AppError && (error.code === "InvalidPassword" || error.code === "AuthError")
  );
}

/**
 * The address failed logins and sends are counted by: the client's address (the proxy's
 * `X-Forwarded-For` only under `--trust-proxy`, else the TCP peer); one shared bucket when
 * it is unknown.
 */
export function throttleAddress(c: Context<HttpEnv>): string {
  return c.get("clientAddress") || "unknown";
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Keyed by the path after the provider name; a Map, so inherited object names are no actions. */
const USERPASS_ACTIONS: ReadonlyMap<string, UserpassAction> = new Map<string, UserpassAction>([
  ["register", (accounts, body) => accounts.register(body)],
  ["confirm", (accounts, body) => accounts.confirm(body)],
  ["confirm/send", (accounts, body) => accounts.resendConfirmation(body)],
  ["confirm/call", (accounts, body) => accounts.resendConfirmation(body)],
  ["reset", (accounts, body) => accounts.reset(body)],
  ["reset/send", (accounts, body) => accounts.sendReset(body)],
  ["reset/call", (accounts, body) => accounts.callReset(body)],
]);

export function authRoutes(deps: HttpDeps): Hono<HttpEnv> {
  const routes = new Hono<HttpEnv>();

  routes.post("/auth/providers/:provider/login", async (c) => {
    const provider = c.req.param("provider");
    const link = c.req.query("link") === "true";
    const address = throttleAddress(c);
    try {
      const body = await ejsonBody(c, deps);
      const account = stringOf(body.username);
      deps.auth.throttle.checkLogin(account, address);
      const linkTo = link ? await accessCaller(c, deps) : undefined;
      const result = await deps.auth.logIn(provider, body, linkTo).catch((error: unknown) => {
        if (isCredentialFailure(error)) deps.auth.throttle.loginFailed(account, address);
        throw error;
      });
      deps.auth.throttle.loginSucceeded(account);
      await deps.log.record({
        type: "auth",
        userId: result.user_id,
        outcome: "ok",
        message: `${link ? "linked" : "logged in with"} ${provider}`,
        details: { provider },
      });
      return jsonResponse(result);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await deps.log.record({
        type: "auth",
        outcome: "error",
        message: `${provider} login failed: ${message}`,
        details: { provider },
      });
      throw error;
    }
  });

  const userpass = async (c: Context<HttpEnv>, action: string): Promise<Response> => {
    const run = USERPASS_ACTIONS.get(action);
    if (run === undefined) throw new AppError("NotFound", `no such route: ${c.req.path}`);
    const accounts = deps.auth.emailPassword(c.req.param("provider"));
    const body = await ejsonBody(c, deps);
    const email = stringOf(body.email);
    if (SENDING_ACTIONS.has(action)) deps.auth.throttle.sendAttempted(email, throttleAddress(c));
    await run(accounts, body);
    await deps.log.record({
      type: "auth",
      outcome: "ok",
      message: `email/password ${action}`,
      details: email === undefined ? {} : { email },
    });
    return action === "register" ? emptyResponse(201) : emptyResponse(200);
  };
  routes.post("/auth/providers/:provider/:action", (c) => userpass(c, c.req.param("action")));
  routes.post("/auth/providers/:provider/:action/:step", (c) =>
    userpass(c, `${c.req.param("action")}/${c.req.param("step")}`),
  );

  return routes;
}

/**
 * Auth on its own: in-memory data and scripted functions stand in for the data layer and the
 * sandbox, so that every provider flow (and its failures) runs in milliseconds.
 */
import { AppError } from "@atoll/protocol";
import { SignJWT } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { UserContext } from "../callerContext.js";
import { loadAppConfig } from "../config/loadAppConfig.js";
import type { AppConfig, AuthProviderConfig } from "../config/types.js";
import { MemoryDataService } from "../http/test-support/memoryDataService.js";
import { TEST_APP_DIR } from "../http/test-support/standInServer.js";
import { AuthService } from "./AuthService.js";
import type { FunctionRunner } from "./FunctionRunner.js";

type Script = (args: unknown[], user: UserContext) => unknown;

let baseConfig: AppConfig;
beforeAll(async () => {
  baseConfig = await loadAppConfig(TEST_APP_DIR);
});
afterEach(() => {
  vi.useRealTimers();
});

function withUserpassConfig(config: Record<string, unknown>): AppConfig {
  const providers = new Map(baseConfig.authProviders);
  const userpass = providers.get("local-userpass") as AuthProviderConfig;
  providers.set("local-userpass", { ...userpass, config });
  return { ...baseConfig, authProviders: providers };
}

async function setUp(options: { config?: AppConfig; scripts?: Record<string, Script> } = {}) {
  const data = new MemoryDataService();
  const calls: { name: string; args: unknown[] }[] = [];
  const links: { kind: string; email: string; url: string }[] = [];
  const scripts: Record<string, Script> = { onUserCreation: () => undefined, ...options.scripts };
  const functions: FunctionRunner = {
    execute: async (name, args, user) => {
      calls.push({ name, args });
      const script = scripts[name];
      if (script === undefined) throw new AppError("FunctionNotFound", `function not found: '${name}'`);
      return script(args, user);
    },
    callFromClient: () => Promise.reject(new Error("not used here")),
  };
  const auth = await AuthService.create({ config: options.config ?? baseConfig, system: data, functions, deliverLink: (link) => links.push(link) });
  return { auth, data, calls, links };
}

function userDataOf(accessToken: string): unknown {
  const [, payload] = accessToken.split(".");
  return (JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as { user_data: unknown }).user_data;
}

describe("email/password", () => {
  it("auto-confirms when configured, then logs in with the email as user data", async () => {
    const { auth } = await setUp({ config: withUserpassConfig({ autoConfirm: true }) });
    await auth.emailPassword().register({ email: "ada@example.org", password: "correct horse" });
    const login = await auth.logIn("local-userpass", { username: "ada@example.org", password: "correct horse" });
    const caller = await auth.authenticate(login.access_token);
    expect(auth.profile(caller)).toMatchObject({ data: { email: "ada@example.org" }, identities: [{ provider_type: "local-userpass" }] });
    await expect(auth.logIn("local-userpass", { username: "ada@example.org", password: "wrong horse" })).rejects.toMatchObject({ code: "InvalidPassword" });
    await expect(auth.logIn("local-userpass", { username: "nobody@example.org", password: "whatever" })).rejects.toMatchObject({ code: "InvalidPassword" });
    await expect(auth.emailPassword().register({ email: "ada@example.org", password: "another one" })).rejects.toMatchObject({
      code: "AccountNameInUse",
      message: "name already in use",
    });
  });

  it("enforces the password length", async () => {
    const { auth } = await setUp({ config: withUserpassConfig({ autoConfirm: true }) });
    for (const password of ["short", "x".repeat(129)]) {
      await expect(auth.emailPassword().register({ email: "p@example.org", password })).rejects.toMatchObject({
        code: "BadRequest",
        message: "password must be between 6 and 128 characters",
      });
    }
  });

  it("without a function, hands out a confirmation link whose token confirms once, for 30 minutes", async () => {
    const { auth, links } = await setUp({ config: withUserpassConfig({ emailConfirmationUrl: "https://app.example.org/confirm" }) });
    await auth.emailPassword().register({ email: "bo@example.org", password: "secret-1" });
    await expect(auth.logIn("local-userpass", { username: "bo@example.org", password: "secret-1" })).rejects.toMatchObject({ code: "AuthError" });
    const url = new URL(links[0]?.url ?? "");
    expect(url.origin + url.pathname).toBe("https://app.example.org/confirm");
    const token = { token: url.searchParams.get("token"), tokenId: url.searchParams.get("tokenId") };
    await expect(auth.emailPassword().confirm({ ...token, token: "forged" })).rejects.toMatchObject({ code: "UserpassTokenInvalid", message: "invalid token data" });
    await auth.emailPassword().confirm(token);
    await expect(auth.emailPassword().confirm(token)).rejects.toMatchObject({ code: "UserpassTokenInvalid" });
    await expect(auth.logIn("local-userpass", { username: "bo@example.org", password: "secret-1" })).resolves.toMatchObject({ user_id: expect.any(String) });
    await expect(auth.emailPassword().resendConfirmation({ email: "bo@example.org" })).rejects.toMatchObject({ code: "UserAlreadyConfirmed" });
    await expect(auth.emailPassword().resendConfirmation({ email: "who@example.org" })).rejects.toMatchObject({ code: "UserNotFound", message: "user not found" });
  });

  it("refuses a confirmation token older than 30 minutes, and a resent one works", async () => {
    const { auth, links } = await setUp({ config: withUserpassConfig({}) });
    vi.useFakeTimers({ toFake: ["Date"] });
    await auth.emailPassword().register({ email: "late@example.org", password: "secret-1" });
    vi.setSystemTime(Date.now() + 31 * 60 * 1000);
    const first = new URL(links[0]?.url ?? "", "http://x");
    await expect(auth.emailPassword().confirm({ token: first.searchParams.get("token"), tokenId: first.searchParams.get("tokenId") })).rejects.toMatchObject({
      code: "UserpassTokenInvalid",
    });
    await auth.emailPassword().resendConfirmation({ email: "late@example.org" });
    const second = new URL(links[1]?.url ?? "", "http://x");
    await auth.emailPassword().confirm({ token: second.searchParams.get("token"), tokenId: second.searchParams.get("tokenId") });
  });

  it("runs the confirmation function: success confirms, pending waits for the token, fail registers nobody", async () => {
    const status: Record<string, string> = { "yes@example.org": "success", "later@example.org": "pending", "no@example.org": "fail" };
    const pending: Record<string, unknown> = {};
    const { auth, calls } = await setUp({
      scripts: {
        confirmUser: ([arg]) => {
          const { username, token, tokenId } = arg as { username: string; token: string; tokenId: string };
          pending[username] = { token, tokenId };
          return { status: status[username] };
        },
      },
    });
    await auth.emailPassword().register({ email: "yes@example.org", password: "secret-1" });
    await auth.logIn("local-userpass", { username: "yes@example.org", password: "secret-1" });
    await auth.emailPassword().register({ email: "later@example.org", password: "secret-1" });
    await expect(auth.logIn("local-userpass", { username: "later@example.org", password: "secret-1" })).rejects.toMatchObject({ code: "AuthError" });
    await auth.emailPassword().confirm(pending["later@example.org"] as Record<string, unknown>);
    await auth.logIn("local-userpass", { username: "later@example.org", password: "secret-1" });
    await expect(auth.emailPassword().register({ email: "no@example.org", password: "secret-1" })).rejects.toMatchObject({
      code: "BadRequest",
      message: 'failed to confirm user "no@example.org"',
    });
    status["no@example.org"] = "success";
    await auth.emailPassword().register({ email: "no@example.org", password: "secret-1" });
    expect(calls.filter((call) => call.name === "confirmUser")).toHaveLength(4);
  });

  it("resets passwords through the reset function (success, pending + token, fail) and through links", async () => {
    const { auth } = await setUp({
      scripts: {
        confirmUser: () => ({ status: "success" }),
        resetPassword: ([, answer]) => ({ status: answer === "blue" ? "success" : answer === "later" ? "pending" : "fail" }),
      },
    });
    const accounts = auth.emailPassword();
    await accounts.register({ email: "r@example.org", password: "old-password" });
    await accounts.callReset({ email: "r@example.org", password: "new-password", arguments: ["blue"] });
    await auth.logIn("local-userpass", { username: "r@example.org", password: "new-password" });
    await expect(accounts.callReset({ email: "r@example.org", password: "newer-password", arguments: ["red"] })).rejects.toMatchObject({ code: "BadRequest" });
    await expect(auth.logIn("local-userpass", { username: "r@example.org", password: "newer-password" })).rejects.toMatchObject({ code: "InvalidPassword" });
    await expect(accounts.sendReset({ email: "r@example.org" })).rejects.toMatchObject({ code: "BadRequest" });

    const { auth: linkAuth, links } = await setUp({ config: withUserpassConfig({ autoConfirm: true, resetPasswordUrl: "https://app.example.org/reset" }) });
    await linkAuth.emailPassword().register({ email: "l@example.org", password: "old-password" });
    await linkAuth.emailPassword().sendReset({ email: "l@example.org" });
    const url = new URL(links[0]?.url ?? "");
    await linkAuth.emailPassword().reset({ token: url.searchParams.get("token"), tokenId: url.searchParams.get("tokenId"), password: "via-link-1" });
    await linkAuth.logIn("local-userpass", { username: "l@example.org", password: "via-link-1" });
  });
});

describe("users and identities", () => {
  it("runs on-user-creation once, before the first token, so its writes are in user_data", async () => {
    const { auth, data, calls } = await setUp({
      scripts: {
        onUserCreation: async ([user]) => {
          const { id } = user as { id: string };
          await data.db("custom-user-data-database").collection("custom-user-data").insertOne({ userId: id, plan: "free" });
        },
      },
    });
    const login = await auth.logIn("anon-user", {});
    expect(userDataOf(login.access_token)).toMatchObject({ userId: login.user_id, plan: "free" });
    await data.db("custom-user-data-database").collection("custom-user-data").updateOne({ userId: login.user_id }, { $set: { plan: "pro" } });
    const caller = await auth.authenticateRefresh(login.refresh_token ?? "");
    expect(userDataOf((await auth.refresh(caller)).access_token)).toMatchObject({ plan: "pro" });
    expect(calls.filter((call) => call.name === "onUserCreation")).toHaveLength(1);
  });

  it("creates no user when on-user-creation fails", async () => {
    const { auth } = await setUp({
      scripts: {
        onUserCreation: () => {
          throw new AppError("FunctionExecutionError", "no new users today");
        },
      },
    });
    await expect(auth.logIn("anon-user", {})).rejects.toMatchObject({ message: "no new users today" });
    expect(await auth.users.list()).toEqual([]);
  });

  it("maps the custom auth function's id to one user, and its throw to a 401 with the message", async () => {
    const { auth } = await setUp({
      scripts: {
        authHandler: ([payload]) => {
          const { username, pin } = payload as { username: string; pin: string };
          if (pin !== "1234") throw new AppError("FunctionExecutionError", `wrong pin for ${username}`);
          return { id: `member-${username}`, name: username };
        },
      },
    });
    const first = await auth.logIn("custom-function", { username: "kim", pin: "1234", options: { device: {} } });
    const second = await auth.logIn("custom-function", { username: "kim", pin: "1234" });
    expect(second.user_id).toBe(first.user_id);
    const error = await auth.logIn("custom-function", { username: "kim", pin: "0000" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "AuthError", message: "wrong pin for kim", httpStatus: 401 });
  });

  it("refreshes JWT metadata in the user's data at each login", async () => {
    const { auth } = await setUp();
    const key = new TextEncoder().encode("a-shared-secret-for-custom-jwt-tests-0123456789");
    const token = (email: string) =>
      new SignJWT({ aud: "atoll-http-test", email }).setProtectedHeader({ alg: "HS256" }).setSubject("jwt-person").setExpirationTime("5m").sign(key);
    const first = await auth.logIn("custom-token", { token: await token("old@example.org") });
    const second = await auth.logIn("custom-token", { token: await token("new@example.org") });
    expect(second.user_id).toBe(first.user_id);
    expect(auth.profile(await auth.authenticate(second.access_token)).data).toEqual({ email: "new@example.org" });
  });

  it("gives concurrent first logins of one identity one user, created once", async () => {
    const { auth, calls } = await setUp({ scripts: { authHandler: () => "same-person" } });
    const logins = await Promise.all([1, 2, 3].map(() => auth.logIn("custom-function", {})));
    expect(new Set(logins.map((login) => login.user_id)).size).toBe(1);
    expect(await auth.users.list()).toHaveLength(1);
    expect(calls.filter((call) => call.name === "onUserCreation")).toHaveLength(1);
  });

  it("registers an email once when registrations race", async () => {
    const { auth } = await setUp({ config: withUserpassConfig({ autoConfirm: true }) });
    const results = await Promise.allSettled([1, 2].map(() => auth.emailPassword().register({ email: "race@example.org", password: "secret-1" })));
    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(results.find((result) => result.status === "rejected")).toMatchObject({ reason: { code: "AccountNameInUse" } });
  });

  it("links a second identity to the user, and refuses an identity another user owns", async () => {
    const { auth } = await setUp({ config: withUserpassConfig({ autoConfirm: true }) });
    const anonymous = await auth.logIn("anon-user", {});
    await auth.emailPassword().register({ email: "link@example.org", password: "secret-1" });
    const caller = await auth.authenticate(anonymous.access_token);
    const linked = await auth.logIn("local-userpass", { username: "link@example.org", password: "secret-1" }, caller);
    expect(linked.user_id).toBe(anonymous.user_id);
    const viaEmail = await auth.logIn("local-userpass", { username: "link@example.org", password: "secret-1" });
    expect(viaEmail.user_id).toBe(anonymous.user_id);
    const profile = auth.profile(await auth.authenticate(viaEmail.access_token));
    expect((profile.identities as { provider_type: string }[]).map((identity) => identity.provider_type)).toEqual(["anon-user", "local-userpass"]);

    const other = await auth.authenticate((await auth.logIn("anon-user", {})).access_token);
    await expect(auth.logIn("local-userpass", { username: "link@example.org", password: "secret-1" }, other)).rejects.toMatchObject({ code: "AccountNameInUse" });
  });

  it("frees the email of a deleted user for a new registration", async () => {
    const { auth } = await setUp({ config: withUserpassConfig({ autoConfirm: true }) });
    await auth.emailPassword().register({ email: "gone@example.org", password: "secret-1" });
    const login = await auth.logIn("local-userpass", { username: "gone@example.org", password: "secret-1" });
    await auth.deleteUser(login.user_id);
    await expect(auth.logIn("local-userpass", { username: "gone@example.org", password: "secret-1" })).rejects.toMatchObject({ code: "InvalidPassword" });
    await auth.emailPassword().register({ email: "gone@example.org", password: "secret-2" });
    const again = await auth.logIn("local-userpass", { username: "gone@example.org", password: "secret-2" });
    expect(again.user_id).not.toBe(login.user_id);
  });
});

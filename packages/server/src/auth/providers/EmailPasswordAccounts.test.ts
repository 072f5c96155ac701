/** Email/password accounts through AuthService: registration, confirmation, reset, login. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { scryptPasswords, type PasswordHasher } from "../passwords.js";
import { authHarness, testAppConfig } from "../test-support/authHarness.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("email/password", () => {
  it("auto-confirms when configured, then logs in with the email as user data", async () => {
    const { auth } = await authHarness({ config: await testAppConfig({ autoConfirm: true }) });
    await auth.emailPassword().register({ email: "ada@example.org", password: "correct horse" });
    const login = await auth.logIn("local-userpass", {
      username: "ada@example.org",
      password: "correct horse",
    });
    const caller = await auth.authenticate(login.access_token);
    expect(auth.profile(caller)).toMatchObject({
      data: { email: "ada@example.org" },
      identities: [{ provider_type: "local-userpass" }],
    });
    await expect(
      auth.logIn("local-userpass", { username: "ada@example.org", password: "wrong horse" }),
    ).rejects.toMatchObject({ code: "InvalidPassword" });
    await expect(
      auth.logIn("local-userpass", { username: "nobody@example.org", password: "whatever" }),
    ).rejects.toMatchObject({ code: "InvalidPassword" });
    await expect(
      auth.emailPassword().register({ email: "ada@example.org", password: "another one" }),
    ).rejects.toMatchObject({
      code: "AccountNameInUse",
      message: "name already in use",
    });
  });

  it("does the same work for an unknown email as for a known one: one password check, same error", async () => {
    const verified: string[] = [];
    const counting: PasswordHasher = {
      hash: scryptPasswords.hash,
      verify: (password, stored) => {
        verified.push(password);
        return scryptPasswords.verify(password, stored);
      },
    };
    const { auth } = await authHarness({
      config: await testAppConfig({ autoConfirm: true }),
      passwords: counting,
    });
    await auth.emailPassword().register({ email: "known@example.org", password: "right-one" });
    const failures = [];
    for (const username of ["known@example.org", "unknown@example.org"]) {
      verified.length = 0;
      failures.push(
        await auth
          .logIn("local-userpass", { username, password: "wrong-one" })
          .catch((e: unknown) => e),
      );
      expect(verified).toEqual(["wrong-one"]);
    }
    const [known, unknown] = failures;
    expect(known).toMatchObject({ code: "InvalidPassword", message: "invalid username/password" });
    expect(unknown).toMatchObject({
      code: "InvalidPassword",
      message: "invalid username/password",
    });
  });

  it("enforces the password length", async () => {
    const { auth } = await authHarness({ config: await testAppConfig({ autoConfirm: true }) });
    for (const password of ["short", "x".repeat(129)]) {
      await expect(
        auth.emailPassword().register({ email: "p@example.org", password }),
      ).rejects.toMatchObject({
        code: "BadRequest",
        message: "password must be between 6 and 128 characters",
      });
    }
  });

  it("without a function, hands out a confirmation link whose token confirms once, for 30 minutes", async () => {
    const { auth, links } = await authHarness({
      config: await testAppConfig({ emailConfirmationUrl: "https://app.example.org/confirm" }),
    });
    await auth.emailPassword().register({ email: "bo@example.org", password: "secret-1" });
    await expect(
      auth.logIn("local-userpass", { username: "bo@example.org", password: "secret-1" }),
    ).rejects.toMatchObject({ code: "AuthError" });
    const url = new URL(links[0]?.url ?? "");
    expect(url.origin + url.pathname).toBe("https://app.example.org/confirm");
    const token = {
      token: url.searchParams.get("token"),
      tokenId: url.searchParams.get("tokenId"),
    };
    await expect(auth.emailPassword().confirm({ ...token, token: "forged" })).rejects.toMatchObject(
      { code: "UserpassTokenInvalid", message: "invalid token data" },
    );
    await auth.emailPassword().confirm(token);
    await expect(auth.emailPassword().confirm(token)).rejects.toMatchObject({
      code: "UserpassTokenInvalid",
    });
    await expect(
      auth.logIn("local-userpass", { username: "bo@example.org", password: "secret-1" }),
    ).resolves.toMatchObject({ user_id: expect.any(String) });
    await expect(
      auth.emailPassword().resendConfirmation({ email: "bo@example.org" }),
    ).rejects.toMatchObject({ code: "UserAlreadyConfirmed" });
    await expect(
      auth.emailPassword().resendConfirmation({ email: "who@example.org" }),
    ).rejects.toMatchObject({ code: "UserNotFound", message: "user not found" });
  });

  it("refuses a confirmation token older than 30 minutes, and a resent one works", async () => {
    const { auth, links } = await authHarness({ config: await testAppConfig({}) });
    vi.useFakeTimers({ toFake: ["Date"] });
    await auth.emailPassword().register({ email: "late@example.org", password: "secret-1" });
    vi.setSystemTime(Date.now() + 31 * 60 * 1000);
    const first = new URL(links[0]?.url ?? "", "http://x");
    await expect(
      auth.emailPassword().confirm({
        token: first.searchParams.get("token"),
        tokenId: first.searchParams.get("tokenId"),
      }),
    ).rejects.toMatchObject({
      code: "UserpassTokenInvalid",
    });
    await auth.emailPassword().resendConfirmation({ email: "late@example.org" });
    const second = new URL(links[1]?.url ?? "", "http://x");
    await auth.emailPassword().confirm({
      token: second.searchParams.get("token"),
      tokenId: second.searchParams.get("tokenId"),
    });
  });

  it("runs the confirmation function: success confirms, pending waits for the token, fail registers nobody", async () => {
    const status: Record<string, string> = {
      "yes@example.org": "success",
      "later@example.org": "pending",
      "no@example.org": "fail",
    };
    const pending: Record<string, unknown> = {};
    const { auth, calls } = await authHarness({
      scripts: {
        confirmUser: ([arg]) => {
          const { username, token, tokenId } = arg as {
            username: string;
            token: string;
            tokenId: string;
          };
          pending[username] = { token, tokenId };
          return { status: status[username] };
        },
      },
    });
    await auth.emailPassword().register({ email: "yes@example.org", password: "secret-1" });
    await auth.logIn("local-userpass", { username: "yes@example.org", password: "secret-1" });
    await auth.emailPassword().register({ email: "later@example.org", password: "secret-1" });
    await expect(
      auth.logIn("local-userpass", { username: "later@example.org", password: "secret-1" }),
    ).rejects.toMatchObject({ code: "AuthError" });
    await auth.emailPassword().confirm(pending["later@example.org"] as Record<string, unknown>);
    await auth.logIn("local-userpass", { username: "later@example.org", password: "secret-1" });
    await expect(
      auth.emailPassword().register({ email: "no@example.org", password: "secret-1" }),
    ).rejects.toMatchObject({
      code: "BadRequest",
      message: 'failed to confirm user "no@example.org"',
    });
    status["no@example.org"] = "success";
    await auth.emailPassword().register({ email: "no@example.org", password: "secret-1" });
    expect(calls.filter((call) => call.name === "confirmUser")).toHaveLength(4);
  });

  it("resets passwords through the reset function (success, pending + token, fail) and through links", async () => {
    const { auth } = await authHarness({
      scripts: {
        confirmUser: () => ({ status: "success" }),
        resetPassword: ([, answer]) => ({
          status: answer === "blue" ? "success" : answer === "later" ? "pending" : "fail",
        }),
      },
    });
    const accounts = auth.emailPassword();
    await accounts.register({ email: "r@example.org", password: "old-password" });
    await accounts.callReset({
      email: "r@example.org",
      password: "new-password",
      arguments: ["blue"],
    });
    await auth.logIn("local-userpass", { username: "r@example.org", password: "new-password" });
    await expect(
      accounts.callReset({
        email: "r@example.org",
        password: "newer-password",
        arguments: ["red"],
      }),
    ).rejects.toMatchObject({ code: "BadRequest" });
    await expect(
      auth.logIn("local-userpass", { username: "r@example.org", password: "newer-password" }),
    ).rejects.toMatchObject({ code: "InvalidPassword" });
    await expect(accounts.sendReset({ email: "r@example.org" })).rejects.toMatchObject({
      code: "BadRequest",
    });

    const { auth: linkAuth, links } = await authHarness({
      config: await testAppConfig({
        autoConfirm: true,
        resetPasswordUrl: "https://app.example.org/reset",
      }),
    });
    await linkAuth.emailPassword().register({ email: "l@example.org", password: "old-password" });
    await linkAuth.emailPassword().sendReset({ email: "l@example.org" });
    const url = new URL(links[0]?.url ?? "");
    await linkAuth.emailPassword().reset({
      token: url.searchParams.get("token"),
      tokenId: url.searchParams.get("tokenId"),
      password: "via-link-1",
    });
    await linkAuth.logIn("local-userpass", { username: "l@example.org", password: "via-link-1" });
  });
});

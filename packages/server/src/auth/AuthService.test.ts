/** Users, identities and tokens through AuthService, over stand-ins (see authHarness). */
import { AppError } from "@atoll/protocol";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { authHarness, testAppConfig } from "./test-support/authHarness.js";

function userDataOf(accessToken: string): unknown {
  const [, payload] = accessToken.split(".");
  return (
    JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as { user_data: unknown }
  ).user_data;
}

describe("users and identities", () => {
  it("runs on-user-creation once, before the first token, so its writes are in user_data", async () => {
    const { auth, data, calls } = await authHarness({
      scripts: {
        onUserCreation: async ([user]) => {
          const { id } = user as { id: string };
          await data
            .db("custom-user-data-database")
            .collection("custom-user-data")
            .insertOne({ userId: id, plan: "free" });
        },
      },
    });
    const login = await auth.logIn("anon-user", {});
    expect(userDataOf(login.access_token)).toMatchObject({ userId: login.user_id, plan: "free" });
    await data
      .db("custom-user-data-database")
      .collection("custom-user-data")
      .updateOne({ userId: login.user_id }, { $set: { plan: "pro" } });
    const caller = await auth.authenticateRefresh(login.refresh_token ?? "");
    expect(userDataOf((await auth.refresh(caller)).access_token)).toMatchObject({ plan: "pro" });
    expect(calls.filter((call) => call.name === "onUserCreation")).toHaveLength(1);
  });

  it("creates no user when on-user-creation fails", async () => {
    const { auth } = await authHarness({
      scripts: {
        onUserCreation: () => {
          throw new AppError("FunctionExecutionError", "no new users today");
        },
      },
    });
    await expect(auth.logIn("anon-user", {})).rejects.toMatchObject({
      message: "no new users today",
    });
    expect(await auth.users.list()).toEqual([]);
  });

  it("maps the custom auth function's id to one user, and its throw to a 401 with the message", async () => {
    const { auth } = await authHarness({
      scripts: {
        authHandler: ([payload]) => {
          const { username, pin } = payload as { username: string; pin: string };
          if (pin !== "1234")
            throw new AppError("FunctionExecutionError", `wrong pin for ${username}`);
          return { id: `member-${username}`, name: username };
        },
      },
    });
    const first = await auth.logIn("custom-function", {
      username: "kim",
      pin: "1234",
      options: { device: {} },
    });
    const second = await auth.logIn("custom-function", { username: "kim", pin: "1234" });
    expect(second.user_id).toBe(first.user_id);
    const error = await auth
      .logIn("custom-function", { username: "kim", pin: "0000" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: "AuthError",
      message: "wrong pin for kim",
      httpStatus: 401,
    });
  });

  it("refreshes JWT metadata in the user's data at each login", async () => {
    const { auth } = await authHarness();
    const key = new TextEncoder().encode("a-shared-secret-for-custom-jwt-tests-0123456789");
    const token = (email: string) =>
      new SignJWT({ aud: "atoll-http-test", email })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("jwt-person")
        .setExpirationTime("5m")
        .sign(key);
    const first = await auth.logIn("custom-token", { token: await token("old@example.org") });
    const second = await auth.logIn("custom-token", { token: await token("new@example.org") });
    expect(second.user_id).toBe(first.user_id);
    expect(auth.profile(await auth.authenticate(second.access_token)).data).toEqual({
      email: "new@example.org",
    });
  });

  it("gives concurrent first logins of one identity one user, created once", async () => {
    const { auth, calls } = await authHarness({ scripts: { authHandler: () => "same-person" } });
    const logins = await Promise.all([1, 2, 3].map(() => auth.logIn("custom-function", {})));
    expect(new Set(logins.map((login) => login.user_id)).size).toBe(1);
    expect(await auth.users.list()).toHaveLength(1);
    expect(calls.filter((call) => call.name === "onUserCreation")).toHaveLength(1);
  });

  it("registers an email once when registrations race", async () => {
    const { auth } = await authHarness({ config: await testAppConfig({ autoConfirm: true }) });
    const results = await Promise.allSettled(
      [1, 2].map(() =>
        auth.emailPassword().register({ email: "race@example.org", password: "secret-1" }),
      ),
    );
    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(results.find((result) => result.status === "rejected")).toMatchObject({
      reason: { code: "AccountNameInUse" },
    });
  });

  it("links a second identity to the user, and refuses an identity another user owns", async () => {
    const { auth } = await authHarness({ config: await testAppConfig({ autoConfirm: true }) });
    const anonymous = await auth.logIn("anon-user", {});
    await auth.emailPassword().register({ email: "link@example.org", password: "secret-1" });
    const caller = await auth.authenticate(anonymous.access_token);
    const linked = await auth.logIn(
      "local-userpass",
      { username: "link@example.org", password: "secret-1" },
      caller,
    );
    expect(linked.user_id).toBe(anonymous.user_id);
    const viaEmail = await auth.logIn("local-userpass", {
      username: "link@example.org",
      password: "secret-1",
    });
    expect(viaEmail.user_id).toBe(anonymous.user_id);
    const profile = auth.profile(await auth.authenticate(viaEmail.access_token));
    expect(
      (profile.identities as { provider_type: string }[]).map((identity) => identity.provider_type),
    ).toEqual(["anon-user", "local-userpass"]);

    const other = await auth.authenticate((await auth.logIn("anon-user", {})).access_token);
    await expect(
      auth.logIn("local-userpass", { username: "link@example.org", password: "secret-1" }, other),
    ).rejects.toMatchObject({ code: "AccountNameInUse" });
  });

  it("frees the email of a deleted user for a new registration", async () => {
    const { auth } = await authHarness({ config: await testAppConfig({ autoConfirm: true }) });
    await auth.emailPassword().register({ email: "gone@example.org", password: "secret-1" });
    const login = await auth.logIn("local-userpass", {
      username: "gone@example.org",
      password: "secret-1",
    });
    await auth.deleteUser(login.user_id);
    await expect(
      auth.logIn("local-userpass", { username: "gone@example.org", password: "secret-1" }),
    ).rejects.toMatchObject({ code: "InvalidPassword" });
    await auth.emailPassword().register({ email: "gone@example.org", password: "secret-2" });
    const again = await auth.logIn("local-userpass", {
      username: "gone@example.org",
      password: "secret-2",
    });
    expect(again.user_id).not.toBe(login.user_id);
  });
});

/**
 * The providers and email/password flows that examples/cars does not configure, on the
 * server's HTTP test app: custom JWT, the custom authentication function, confirmation and
 * reset by function or by token.
 */
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { rejectionOf, useApps } from "../test-support/appClients.js";
import { FULL_APP_DIR, useAppServer } from "../test-support/appServer.js";
import type { TestAppServer } from "../test-support/appServer.js";
import { Credentials } from "./Credentials.js";

const server = useAppServer({ appDir: FULL_APP_DIR });
const newApp = useApps();
const JWT_SECRET = new TextEncoder().encode("a-shared-secret-for-custom-jwt-tests-0123456789");

/** The token a pending confirmation or reset function left in the outbox. */
async function outboxToken(
  test: TestAppServer,
  kind: "confirm" | "reset",
  username: string,
): Promise<{ token: string; tokenId: string }> {
  const entry = await test.server.data
    .system()
    .db("mail")
    .collection("outbox")
    .findOne({ kind, username }, { sort: { _id: -1 } });
  expect(entry).not.toBeNull();
  return { token: String(entry?.token), tokenId: String(entry?.tokenId) };
}

describe("custom providers", () => {
  it("logs in with a custom JWT, its metadata in the profile; a forged one is refused", async () => {
    const token = await new SignJWT({
      aud: "atoll-http-test",
      email: "jwt@example.com",
      profile: { nickname: "jay" },
    })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("external-42")
      .setExpirationTime("10m")
      .sign(JWT_SECRET);
    const user = await newApp(server()).logIn(Credentials.jwt(token));
    expect(user.providerType).toBe("custom-token");
    expect(user.profile).toMatchObject({ email: "jwt@example.com", nickname: "jay" });
    expect((await newApp(server()).logIn(Credentials.jwt(token))).id).toBe(user.id);

    const forged = await new SignJWT({ aud: "atoll-http-test", email: "x" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("x")
      .sign(new TextEncoder().encode("wrong-secret-wrong-secret-wrong-secret"));
    expect(await rejectionOf(newApp(server()).logIn(Credentials.jwt(forged)))).toMatchObject({
      statusCode: 401,
    });
  });

  it("logs in through the custom function; its throw is a 401 with its message", async () => {
    const user = await newApp(server()).logIn(
      Credentials.function({ username: "kim", pin: "1234" }),
    );
    expect(user.providerType).toBe("custom-function");
    expect(await user.functions.sum!(2, 3)).toBe(5);
    const again = await newApp(server()).logIn(
      Credentials.function({ username: "kim", pin: "1234" }),
    );
    expect(again.id).toBe(user.id);
    const refused = await rejectionOf(
      newApp(server()).logIn(Credentials.function({ username: "kim", pin: "0000" })),
    );
    expect(refused).toMatchObject({ statusCode: 401, message: "wrong pin for kim" });
  });
});

describe("app.emailPasswordAuth", () => {
  it("confirms a pending user by function retry, resend and token", async () => {
    const app = newApp(server());
    const auth = app.emailPasswordAuth;
    await auth.registerUser({ email: "pat@pending.org", password: "pending-pat" });
    const unconfirmed = await rejectionOf(
      app.logIn(Credentials.emailPassword("pat@pending.org", "pending-pat")),
    );
    expect(unconfirmed).toMatchObject({ statusCode: 401 });
    await auth.retryCustomConfirmation({ email: "pat@pending.org" });
    await auth.resendConfirmationEmail({ email: "pat@pending.org" });
    await auth.confirmUser(await outboxToken(server(), "confirm", "pat@pending.org"));
    const pat = await app.logIn(Credentials.emailPassword("pat@pending.org", "pending-pat"));
    expect(pat.profile.email).toBe("pat@pending.org");

    const blocked = await rejectionOf(
      auth.registerUser({ email: "x@blocked.example", password: "secret-1" }),
    );
    expect(blocked).toMatchObject({ message: 'failed to confirm user "x@blocked.example"' });
    const badToken = await rejectionOf(auth.confirmUser({ token: "nope", tokenId: "nope" }));
    expect(badToken).toMatchObject({ statusCode: 400 });
  });

  it("resets a password through the reset function, at once or with a token", async () => {
    const app = newApp(server());
    const auth = app.emailPasswordAuth;
    await auth.registerUser({ email: "rita@example.com", password: "first-password" });
    await auth.callResetPasswordFunction(
      { email: "rita@example.com", password: "second-password" },
      "blue",
    );
    await app.logIn(Credentials.emailPassword("rita@example.com", "second-password"));
    await auth.callResetPasswordFunction(
      { email: "rita@example.com", password: "ignored-password" },
      "ask-later",
    );
    await auth.resetPassword({
      ...(await outboxToken(server(), "reset", "rita@example.com")),
      password: "third-password",
    });
    await app.logIn(Credentials.emailPassword("rita@example.com", "third-password"));
    const failed = await rejectionOf(
      auth.callResetPasswordFunction({ email: "rita@example.com", password: "fourth-pw" }, "red"),
    );
    expect(failed).toMatchObject({ statusCode: 400 });
    const byEmail = await rejectionOf(auth.sendResetPasswordEmail({ email: "rita@example.com" }));
    expect(byEmail).toMatchObject({
      statusCode: 400,
      message: "please use reset password via function",
    });
  });
});

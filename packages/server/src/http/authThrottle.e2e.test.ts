/**
 * Password guessing and mail flooding over real HTTP, with the throttle's clock in the test's
 * hands: failed logins are limited per account and per client address, confirmation/reset
 * sends likewise; a refused request is 429 `TooManyRequests` with `Retry-After`, and the
 * window's end lets the right password in again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AtollServer } from "../AtollServer.js";
import { DEFAULT_AUTH_THROTTLE, type AuthThrottleLimits } from "../auth/AuthThrottle.js";
import { CARS_APP_DIR } from "../config/test-support/appFixture.js";

const MINUTE = 60_000;
let running: AtollServer | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(limits: AuthThrottleLimits = DEFAULT_AUTH_THROTTLE) {
  const clock = { now: Date.parse("2026-12-07T06:00:00Z") };
  const server = await AtollServer.start({
    appDir: CARS_APP_DIR,
    port: 0,
    storage: "memory",
    logLevel: "silent",
    authThrottle: { limits, now: () => clock.now },
  });
  running = server;
  const post = (route: string, body: unknown) =>
    fetch(`${server.url}/api/client/v2.0/app/${server.appId}/auth/providers/${route}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  const register = async (email: string, password: string) =>
    expect((await post("local-userpass/register", { email, password })).status).toBe(201);
  const logIn = (username: string, password: string) =>
    post("local-userpass/login", { username, password });
  return { clock, post, register, logIn };
}

async function expectThrottled(response: Response, retryAfterSeconds: number): Promise<void> {
  expect(response.status).toBe(429);
  expect(response.headers.get("retry-after")).toBe(String(retryAfterSeconds));
  expect(await response.json()).toMatchObject({ error_code: "TooManyRequests" });
}

describe("failed logins", () => {
  it("lock the account after 10 failures in 15 minutes, even for the right password, until the window ends", async () => {
    const { clock, register, logIn } = await start();
    await register("target@example.org", "the-right-one");
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await logIn("target@example.org", `guess-${attempt}`)).status).toBe(401);
    }
    clock.now += 5 * MINUTE;
    await expectThrottled(await logIn("target@example.org", "the-right-one"), 10 * 60);
    await expectThrottled(await logIn("TARGET@example.org", "guess-10"), 10 * 60);
    clock.now += 10 * MINUTE;
    expect((await logIn("target@example.org", "the-right-one")).status).toBe(200);
  });

  it("count for unknown accounts as for known ones, and a success clears the account's failures", async () => {
    const { register, logIn } = await start();
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await logIn("nobody@example.org", `guess-${attempt}`)).status).toBe(401);
    }
    await expectThrottled(await logIn("nobody@example.org", "guess-10"), 15 * 60);
    await register("forgetful@example.org", "remembered-it");
    for (let round = 0; round < 3; round++) {
      for (let attempt = 0; attempt < 9; attempt++) {
        expect((await logIn("forgetful@example.org", `typo-${attempt}`)).status).toBe(401);
      }
      expect((await logIn("forgetful@example.org", "remembered-it")).status).toBe(200);
    }
  });

  it("are limited per client address across accounts and providers", async () => {
    const { post, logIn } = await start({
      ...DEFAULT_AUTH_THROTTLE,
      loginAddress: { max: 4, windowMs: 15 * MINUTE },
    });
    for (const email of ["a@example.org", "b@example.org", "c@example.org"]) {
      expect((await logIn(email, "sprayed-password")).status).toBe(401);
    }
    expect((await post("api-key/login", { key: "guessed-api-key" })).status).toBe(401);
    await expectThrottled(await logIn("d@example.org", "sprayed-password"), 15 * 60);
    await expectThrottled(await post("anon-user/login", {}), 15 * 60);
  });
});

describe("reset sends", () => {
  it("are limited per account and per address", async () => {
    const { clock, post, register } = await start({
      ...DEFAULT_AUTH_THROTTLE,
      sendAddress: { max: 8, windowMs: 60 * MINUTE },
    });
    await register("mailbox@example.org", "some-password");
    // No mail server is configured, so each send fails after it was counted.
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await post("local-userpass/reset/send", { email: "mailbox@example.org" });
      expect(response.status).toBe(500);
    }
    await expectThrottled(
      await post("local-userpass/reset/send", { email: "mailbox@example.org" }),
      60 * 60,
    );
    for (const email of ["x@example.org", "y@example.org", "z@example.org"]) {
      expect((await post("local-userpass/reset/send", { email })).status).toBe(404);
    }
    await expectThrottled(
      await post("local-userpass/confirm/send", { email: "w@example.org" }),
      60 * 60,
    );
    clock.now += 60 * MINUTE;
    expect((await post("local-userpass/confirm/send", { email: "w@example.org" })).status).toBe(
      404,
    );
  });
});

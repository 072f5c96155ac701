/**
 * Sessions over time and processes: an expired access token is refreshed once and the request
 * retried; a refused refresh logs the user out; users survive in the app's file, so a new
 * App instance restores the current user and its tokens.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { rejectionOf, useApps } from "../test-support/appClients.js";
import { useAppServer } from "../test-support/appServer.js";
import { App } from "./App.js";
import { Credentials } from "./Credentials.js";

const server = useAppServer();
const newApp = useApps();
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
afterEach(() => {
  vi.useRealTimers();
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "atoll-client-session-"));
  dirs.push(dir);
  return dir;
}

const child = fileURLToPath(new URL("../test-support/appUserChild.ts", import.meta.url));

/** Runs the child process on the same app files; it acts as the restored current user. */
async function inAnotherProcess(
  config: { id: string; baseUrl: string; baseFilePath: string },
  food: string,
): Promise<{ currentUserId: string | null; state: string | null }> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    "--conditions=@atoll/source",
    "--import",
    "tsx",
    child,
    config.id,
    config.baseUrl,
    config.baseFilePath,
    food,
  ]);
  return JSON.parse(stdout) as { currentUserId: string | null; state: string | null };
}

const THIRTY_ONE_MINUTES = 31 * 60 * 1000;

describe("access token expiry", () => {
  it("refreshes an expired access token once and retries the request", async () => {
    const app = newApp(server());
    const user = await app.logIn(Credentials.anonymous());
    const before = user.accessToken;
    const changes: (string | null)[] = [];
    user.addListener(() => changes.push(user.accessToken));
    await user.functions.writeCustomUserData!({ mood: "fresh" });

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + THIRTY_ONE_MINUTES);
    const result = await user.functions.writeCustomUserData!({ mood: "after a nap" });
    expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(user.accessToken).not.toBe(before);
    expect(changes).toEqual([user.accessToken]);
    // The refreshed token carries the custom user data as it was when it was issued.
    expect(user.customData).toMatchObject({ mood: "fresh" });
    expect(user.isLoggedIn).toBe(true);
  });

  it("shares one refresh among concurrent callers", async () => {
    const app = newApp(server());
    const user = await app.logIn(Credentials.anonymous());
    const tokens = new Set<string | null>();
    user.addListener(() => tokens.add(user.accessToken));
    await Promise.all([user.refreshAccessToken(), user.refreshAccessToken()]);
    expect(tokens.size).toBe(1);
  });

  it("logs the user out when the refresh token is refused", async () => {
    const dir = freshDir();
    const config = { id: server().appId, baseUrl: server().url, baseFilePath: dir };
    const here = new App(config);
    const user = await here.logIn(
      Credentials.emailPassword(...(await registered(here, "gone@example.com"))),
    );
    // Another instance (another process, say) logs the same user out: the session is revoked.
    const elsewhere = new App(config);
    await elsewhere.currentUser?.logOut();

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + THIRTY_ONE_MINUTES);
    const error = await rejectionOf(user.functions.writeCustomUserData!({}));
    expect(error).toMatchObject({ statusCode: 401, errorCode: "InvalidSession" });
    expect(user.state).toBe("LoggedOut");
    expect(user.accessToken).toBeNull();
    expect(here.currentUser).toBeNull();
  });
});

describe("users on disk", () => {
  it("restores the users and the current user in a new App instance", async () => {
    const dir = freshDir();
    const config = { id: server().appId, baseUrl: server().url, baseFilePath: dir };
    const first = new App(config);
    const ann = await first.logIn(
      Credentials.emailPassword(...(await registered(first, "disk-ann@example.com"))),
    );
    await ann.functions.writeCustomUserData!({ favoriteFood: "pizza" });
    await ann.refreshCustomData();
    const anonymous = await first.logIn(Credentials.anonymous());
    first.switchUser(ann);

    const second = new App(config);
    expect(second.currentUser?.id).toBe(ann.id);
    expect(Object.keys(second.allUsers).sort()).toEqual([ann.id, anonymous.id].sort());
    const restored = second.currentUser!;
    expect(restored.isLoggedIn).toBe(true);
    expect(restored.providerType).toBe("local-userpass");
    expect(restored.profile.email).toBe("disk-ann@example.com");
    expect(restored.customData).toMatchObject({ favoriteFood: "pizza" });
    expect(restored.deviceId).toBe(ann.deviceId);
    expect(await restored.functions.writeCustomUserData!({ favoriteFood: "soup" })).toMatchObject({
      matchedCount: 1,
    });
    // Anonymous reuse works across instances too.
    expect((await second.logIn(Credentials.anonymous())).id).toBe(anonymous.id);

    await restored.logOut();
    const third = new App(config);
    expect(third.currentUser?.id).toBe(anonymous.id);
    expect(third.allUsers[ann.id]?.state).toBe("LoggedOut");
  });

  it("restores the current user in a new process", async () => {
    const config = { id: server().appId, baseUrl: server().url, baseFilePath: freshDir() };
    const app = new App(config);
    const user = await app.logIn(
      Credentials.emailPassword(...(await registered(app, "process@example.com"))),
    );
    expect(await inAnotherProcess(config, "dumplings")).toEqual({
      currentUserId: user.id,
      state: "LoggedIn",
    });
    expect(await user.refreshCustomData()).toMatchObject({ favoriteFood: "dumplings" });
  });

  it("keeps each app's users apart and names where they live", () => {
    const dir = freshDir();
    const app = new App({ id: "other-app", baseFilePath: dir });
    expect(app.fileDirectory).toBe(join(dir, "mongodb-realm", "other-app"));
    expect(app.currentUser).toBeNull();
    expect(app.baseUrl).toBe("http://127.0.0.1:8080");
    expect(App.get("shared-app")).toBe(App.get("shared-app"));
    expect(App.get("shared-app").id).toBe("shared-app");
  });
});

describe("syncRoute", () => {
  it("is the location endpoint's WebSocket route", async () => {
    const app = newApp(server());
    const route = await app.syncRoute();
    expect(route).toBe(
      `${server().url.replace(/^http/, "ws")}/api/client/v2.0/app/${server().appId}/realm-sync`,
    );
  });

  it("reports an unknown app as an AppError", async () => {
    const app = new App({ id: "no-such-app", baseUrl: server().url, baseFilePath: freshDir() });
    const error = await rejectionOf(app.logIn(Credentials.anonymous()));
    expect(error).toMatchObject({ statusCode: 404, errorCode: "AppNotFound" });
    const unreachable = new App({
      id: "cars",
      baseUrl: "http://127.0.0.1:1",
      baseFilePath: freshDir(),
    });
    expect(await rejectionOf(unreachable.syncRoute())).toMatchObject({
      statusCode: 0,
      errorCode: "NetworkError",
    });
  });
});

async function registered(app: App, email: string): Promise<[string, string]> {
  await app.emailPasswordAuth.registerUser({ email, password: "secret-password" });
  return [email, "secret-password"];
}

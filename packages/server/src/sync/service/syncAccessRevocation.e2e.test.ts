/**
 * A user deleted or disabled, or a session revoked, while a device is connected: the device's
 * sync connection ends with bad_authentication (203, log the user out) and nothing it uploads
 * afterwards is stored. Changes made through this server's HTTP API close the connection at
 * once; changes another process makes to the same store file (`atoll users`, here through the
 * same code on a second store instance) are caught by the next upload, or by the sweep.
 */
import type { Instruction } from "@atoll/protocol";
import { Long, ObjectId } from "bson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthService } from "../../auth/AuthService.js";
import { AppStore } from "../../cli/openAppStore.js";
import {
  CARS_APP_DIR,
  startSyncServer,
  type SyncTestServer,
} from "../test-support/startSyncServer.js";
import type { SyncTestClient, TestLogin } from "../test-support/SyncTestClient.js";

const BAD_AUTHENTICATION = 203;

function car(ownerId: string): { id: ObjectId; instructions: Instruction[] } {
  const id = new ObjectId();
  return {
    id,
    instructions: [
      { type: "CreateObject", table: "Car", pk: id },
      { type: "Update", table: "Car", pk: id, path: ["ownerId"], value: ownerId },
      { type: "Update", table: "Car", pk: id, path: ["make"], value: "Trabant" },
      { type: "Update", table: "Car", pk: id, path: ["miles"], value: Long.fromNumber(7) },
    ],
  };
}

let t: SyncTestServer;
let accounts = 0;

beforeAll(async () => {
  t = await startSyncServer();
});
afterAll(async () => {
  await t.stop();
});

function newAccount(): { email: string; password: string } {
  accounts += 1;
  return { email: `revoked-${accounts}@example.com`, password: "correct horse" };
}

/** A connected device of `login` that has stored one car (so uploads demonstrably worked). */
async function syncingDevice(login: TestLogin): Promise<SyncTestClient> {
  const client = await t.connect(login);
  await client.bind();
  await client.subscribe(1, { Car: `ownerId == "${login.userId}"` });
  const first = car(login.userId);
  await client.acknowledged(client.upload(first.instructions));
  expect(await storedCar(first.id)).not.toBeNull();
  return client;
}

async function storedCar(id: ObjectId) {
  return t.server.data.system().db("cars-db").collection("Car").findOne({ _id: id });
}

async function endedWithBadAuthentication(client: SyncTestClient): Promise<void> {
  const error = await client.next("error");
  expect(error).toMatchObject({ code: BAD_AUTHENTICATION, tryAgain: false, action: "LogOutUser" });
  await client.closed();
}

/** Uploads a car; the connection may already be closing, in which case the frame is lost. */
function uploadAfterwards(client: SyncTestClient, ownerId: string): ObjectId {
  const late = car(ownerId);
  try {
    client.upload(late.instructions);
  } catch {
    // The socket already closed: the upload never left the device.
  }
  return late.id;
}

function authApi(path: string, token: string, method = "DELETE"): Promise<Response> {
  return fetch(`${t.server.url}/api/client/v2.0${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}` },
  });
}

/** The `atoll users` commands' code, on a second store instance over the server's file. */
async function fromAnotherProcess(work: (auth: AuthService) => Promise<void>): Promise<void> {
  await AppStore.use({ app: CARS_APP_DIR, storage: t.storage }, async (store) =>
    work(await store.auth(() => undefined)),
  );
}

describe("through this server's API, the connection closes at once", () => {
  it("when the user deletes itself", async () => {
    const login = await t.logIn(newAccount());
    const client = await syncingDevice(login);
    expect((await authApi("/auth/delete", login.accessToken)).status).toBe(204);
    const late = uploadAfterwards(client, login.userId);
    await endedWithBadAuthentication(client);
    expect(await storedCar(late)).toBeNull();
  });

  it("when its session logs out, leaving the user's other sessions connected", async () => {
    const account = newAccount();
    const login = await t.logIn(account);
    const other = await t.logIn(account);
    expect(other.userId).toBe(login.userId);
    const client = await syncingDevice(login);
    const otherDevice = await syncingDevice(other);
    expect((await authApi("/auth/session", login.refreshToken)).status).toBe(204);
    const late = uploadAfterwards(client, login.userId);
    await endedWithBadAuthentication(client);
    expect(await storedCar(late)).toBeNull();
    const stillSyncing = car(other.userId);
    await otherDevice.acknowledged(otherDevice.upload(stillSyncing.instructions));
    expect(await storedCar(stillSyncing.id)).not.toBeNull();
  });
});

async function apiKeyLogin(owner: TestLogin): Promise<{ keyId: string; login: TestLogin }> {
  const created = await fetch(`${t.server.url}/api/client/v2.0/auth/api_keys`, {
    method: "POST",
    headers: { Authorization: `Bearer ${owner.refreshToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: `device-${accounts}` }),
  });
  const key = (await created.json()) as { _id: string; key: string };
  const response = await fetch(
    `${t.server.url}/api/client/v2.0/app/${t.server.appId}/auth/providers/api-key/login`,
    {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ key: key.key }),
    },
  );
  const body = (await response.json()) as {
    access_token: string;
    refresh_token: string;
    user_id: string;
  };
  return {
    keyId: key._id,
    login: {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      userId: body.user_id,
    },
  };
}

describe("through this server's API, an API key's sessions end with the key", () => {
  for (const [what, method, route] of [
    ["disabled", "PUT", "/disable"],
    ["deleted", "DELETE", ""],
  ] as const) {
    it(`when the key is ${what}, leaving the owner's other sessions connected`, async () => {
      const owner = await t.logIn(newAccount());
      const { keyId, login } = await apiKeyLogin(owner);
      expect(login.userId).toBe(owner.userId);
      const keyDevice = await syncingDevice(login);
      const ownerDevice = await syncingDevice(owner);
      expect(
        (await authApi(`/auth/api_keys/${keyId}${route}`, owner.refreshToken, method)).status,
      ).toBe(204);
      const late = uploadAfterwards(keyDevice, login.userId);
      await endedWithBadAuthentication(keyDevice);
      expect(await storedCar(late)).toBeNull();
      expect((await authApi("/auth/profile", login.accessToken, "GET")).status).toBe(401);
      const stillSyncing = car(owner.userId);
      await ownerDevice.acknowledged(ownerDevice.upload(stillSyncing.instructions));
      expect(await storedCar(stillSyncing.id)).not.toBeNull();
    });
  }
});

describe("through another process on the same store, the next upload is refused", () => {
  it("when the user is disabled", async () => {
    const login = await t.logIn(newAccount());
    const client = await syncingDevice(login);
    await fromAnotherProcess((auth) => auth.setUserDisabled(login.userId, true));
    const late = car(login.userId);
    client.upload(late.instructions);
    await endedWithBadAuthentication(client);
    expect(await storedCar(late.id)).toBeNull();
  });

  it("when the user is deleted", async () => {
    const login = await t.logIn(newAccount());
    const client = await syncingDevice(login);
    await fromAnotherProcess((auth) => auth.deleteUser(login.userId));
    const late = car(login.userId);
    client.upload(late.instructions);
    await endedWithBadAuthentication(client);
    expect(await storedCar(late.id)).toBeNull();
  });
});

describe("the sweep", () => {
  it("closes an idle connection whose user another process disabled", async () => {
    const swept = await startSyncServer({ sync: { accessSweepMs: 20 } });
    try {
      const login = await swept.logIn(newAccount());
      const client = await swept.connect(login);
      await client.bind();
      await AppStore.use({ app: CARS_APP_DIR, storage: swept.storage }, async (store) =>
        (await store.auth(() => undefined)).setUserDisabled(login.userId, true),
      );
      await endedWithBadAuthentication(client);
    } finally {
      await swept.stop();
    }
  });
});

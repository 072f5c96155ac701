/**
 * The server ending a user's session under a connected sync session (logged out from another
 * client with the same refresh token): as in Realm, the session reports the authentication
 * error, the user is logged out on this device and the session goes inactive rather than
 * invalid; writes made meanwhile are uploaded once the user logs in again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ObjectId } from "bson";
import { afterAll, describe, expect, it } from "vitest";
import { App, Credentials, Realm, SessionState } from "@atoll/client";
import type { SyncError, User } from "@atoll/client";
import { SyncErrorCode } from "@atoll/protocol";
import type { Car } from "../support/carModel.js";
import { CarSchema } from "../support/carModel.js";
import { useSyncServer } from "../support/syncHarness.js";

function whenLoggedOut(user: User): Promise<void> {
  return new Promise((resolve) => {
    const listener = (): void => {
      if (user.isLoggedIn) return;
      user.removeListener(listener);
      resolve();
    };
    user.addListener(listener);
  });
}

describe("a session the server ends", () => {
  const server = useSyncServer();
  const root = mkdtempSync(join(tmpdir(), "atoll-e2e-server-logout-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("logs the user out here, goes inactive, and resumes after the next login", async () => {
    const { url, appId } = server();
    const app = new App({ id: appId, baseUrl: url, baseFilePath: root });
    const email = `ended-${new ObjectId().toHexString()}@example.com`;
    const password = "ended elsewhere";
    await app.emailPasswordAuth.registerUser({ email, password });
    const user = await app.logIn(Credentials.emailPassword(email, password));
    const errors: SyncError[] = [];
    const realm = await Realm.open({
      schema: [CarSchema],
      sync: {
        user,
        flexible: true,
        onError: (_session, error) => void errors.push(error),
        initialSubscriptions: { update: (subs, r) => void subs.add(r.objects<Car>("Car")) },
      },
    });
    const session = realm.syncSession!;

    const loggedOut = whenLoggedOut(user);
    const ended = await fetch(`${url}/api/client/v2.0/auth/session`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${user.refreshToken ?? ""}` },
    });
    expect(ended.ok).toBe(true);
    await loggedOut;
    expect(errors.map((error) => error.code)).toEqual([SyncErrorCode.BadAuthentication]);
    expect(session.state).toBe(SessionState.Inactive);

    const id = new ObjectId();
    realm.write(() => realm.create("Car", { _id: id, ownerId: user.id, make: "Meanwhile" }));
    const uploaded = session.uploadAllLocalChanges();
    const again = await app.logIn(Credentials.emailPassword(email, password));
    expect(again.id).toBe(user.id);
    await uploaded;
    expect(session.state).toBe(SessionState.Active);
    const stored = server().server.data.system().db("cars-db").collection("Car");
    expect(await stored.count({ _id: id })).toBe(1);
    realm.close();
  });
});

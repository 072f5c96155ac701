/**
 * Logging in against a real server (examples/cars): anonymous reuse, email/password, API
 * keys, wrong passwords, logging out, switching, removing, deleting and linking users.
 */
import { describe, expect, it } from "vitest";
import { useApps, rejectionOf } from "../test-support/appClients.js";
import { useAppServer } from "../test-support/appServer.js";
import type { App } from "./App.js";
import { AppError } from "./AppError.js";
import { Credentials } from "./Credentials.js";

const server = useAppServer();
const newApp = useApps();

async function registeredUser(app: App, email: string, password = "secret-password") {
  await app.emailPasswordAuth.registerUser({ email, password });
  return app.logIn(Credentials.emailPassword(email, password));
}

describe("App.logIn", () => {
  it("reuses the logged-in anonymous user unless asked for a new one", async () => {
    const app = newApp(server());
    const first = await app.logIn(Credentials.anonymous());
    expect(first.id).toMatch(/^[0-9a-f]{24}$/);
    expect(first.providerType).toBe("anon-user");
    expect(first.isLoggedIn).toBe(true);
    expect(first.identities).toEqual([{ id: expect.any(String), providerType: "anon-user" }]);
    expect(first.deviceId).toMatch(/^[0-9a-f]{24}$/);
    expect(await app.logIn(Credentials.anonymous())).toBe(first);
    const second = await app.logIn(Credentials.anonymous(false));
    expect(second.id).not.toBe(first.id);
    expect(app.currentUser).toBe(second);
    expect(Object.keys(app.allUsers).sort()).toEqual([first.id, second.id].sort());
    expect(second.deviceId).toBe(first.deviceId);
  });

  it("registers and logs in with email/password, with the profile's email", async () => {
    const app = newApp(server());
    const user = await registeredUser(app, "ann@example.com");
    expect(user.providerType).toBe("local-userpass");
    expect(user.profile.email).toBe("ann@example.com");
    expect(app.currentUser).toBe(user);
    const again = await app.logIn(
      Credentials.emailPassword({ email: "ann@example.com", password: "secret-password" }),
    );
    expect(again).toBe(user);
  });

  it("rejects a wrong password with the server's error code", async () => {
    const app = newApp(server());
    await app.emailPasswordAuth.registerUser({ email: "bob@example.com", password: "right-one" });
    const error = await rejectionOf(
      app.logIn(Credentials.emailPassword("bob@example.com", "wrong-one")),
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ statusCode: 401, errorCode: "InvalidPassword", link: "" });
    expect(app.currentUser).toBeNull();
    const duplicate = await rejectionOf(
      app.emailPasswordAuth.registerUser({ email: "bob@example.com", password: "another-one" }),
    );
    expect(duplicate).toMatchObject({ errorCode: "AccountNameInUse" });
  });

  it("manages API keys and logs in with one", async () => {
    const app = newApp(server());
    const owner = await registeredUser(app, "keys@example.com");
    const created = await owner.apiKeys.create("laptop");
    expect(created).toMatchObject({ name: "laptop", disabled: false });
    expect(created.key.length).toBeGreaterThan(10);
    expect(await owner.apiKeys.fetch(created._id)).toEqual({
      _id: created._id,
      name: "laptop",
      disabled: false,
    });
    const viaKey = await newApp(server()).logIn(Credentials.apiKey(created.key));
    expect(viaKey.id).toBe(owner.id);
    expect(viaKey.providerType).toBe("api-key");

    await owner.apiKeys.disable(created._id);
    expect((await owner.apiKeys.fetchAll()).map((key) => key.disabled)).toEqual([true]);
    const refused = await rejectionOf(newApp(server()).logIn(Credentials.apiKey(created.key)));
    expect(refused).toMatchObject({ statusCode: 401 });
    await owner.apiKeys.enable(created._id);
    await newApp(server()).logIn(Credentials.apiKey(created.key));
    await owner.apiKeys.delete(created._id);
    expect(await owner.apiKeys.fetchAll()).toEqual([]);
    const missing = await rejectionOf(owner.apiKeys.fetch(created._id));
    expect(missing).toMatchObject({ errorCode: "APIKeyNotFound" });
  });
});

describe("users of an App", () => {
  it("logs out: session ended on the server, tokens cleared, the next user becomes current", async () => {
    const app = newApp(server());
    const ann = await registeredUser(app, "out-ann@example.com");
    const bob = await registeredUser(app, "out-bob@example.com");
    const bobRefreshToken = bob.refreshToken;
    const seen: string[] = [];
    bob.addListener(() => seen.push(bob.state));
    await bob.logOut();
    expect(bob.state).toBe("LoggedOut");
    expect(bob.isLoggedIn).toBe(false);
    expect(bob.accessToken).toBeNull();
    expect(bob.refreshToken).toBeNull();
    expect(seen).toEqual(["LoggedOut"]);
    expect(app.currentUser).toBe(ann);
    expect(app.allUsers[bob.id]).toBe(bob);
    const revoked = await fetch(`${server().url}/api/client/v2.0/auth/session`, {
      method: "POST",
      headers: { Authorization: `Bearer ${bobRefreshToken}` },
    });
    expect(revoked.status).toBe(401);
    const notLoggedIn = await rejectionOf(bob.functions.call("writeCustomUserData", {}));
    expect(notLoggedIn).toMatchObject({ errorCode: "ClientUserNotLoggedIn" });
  });

  it("forgets an anonymous user once it logs out", async () => {
    const app = newApp(server());
    const anonymous = await app.logIn(Credentials.anonymous());
    const seen: string[] = [];
    anonymous.addListener(() => seen.push(anonymous.state));
    await anonymous.logOut();
    expect(anonymous.state).toBe("Removed");
    expect(seen).toEqual(["Removed"]);
    expect(app.allUsers).toEqual({});
    expect(app.currentUser).toBeNull();
  });

  it("switches, removes and deletes users", async () => {
    const app = newApp(server());
    const ann = await registeredUser(app, "switch-ann@example.com");
    const bob = await registeredUser(app, "switch-bob@example.com");
    const currentUsers: (string | undefined)[] = [];
    app.addListener(() => currentUsers.push(app.currentUser?.id));
    app.switchUser(ann);
    expect(app.currentUser).toBe(ann);
    expect(currentUsers).toEqual([ann.id]);

    await app.removeUser(ann);
    expect(ann.state).toBe("Removed");
    expect(app.currentUser).toBe(bob);
    expect(Object.keys(app.allUsers)).toEqual([bob.id]);
    expect(() => app.switchUser(ann)).toThrow("User is no longer valid or is logged out");
    await expect(app.removeUser(ann)).rejects.toThrow("User has already been removed");

    await app.deleteUser(bob);
    expect(bob.state).toBe("Removed");
    expect(app.currentUser).toBeNull();
    const gone = await rejectionOf(
      app.logIn(Credentials.emailPassword("switch-bob@example.com", "secret-password")),
    );
    expect(gone).toMatchObject({ statusCode: 401 });
    // Ann was only removed from this device: she can still log in.
    const annAgain = await app.logIn(
      Credentials.emailPassword("switch-ann@example.com", "secret-password"),
    );
    expect(annAgain.id).toBe(ann.id);
  });

  it("links email/password credentials to an anonymous user", async () => {
    const app = newApp(server());
    const user = await app.logIn(Credentials.anonymous());
    await app.emailPasswordAuth.registerUser({
      email: "linked@example.com",
      password: "secret-password",
    });
    await user.linkCredentials(Credentials.emailPassword("linked@example.com", "secret-password"));
    expect(user.identities.map((identity) => identity.providerType).sort()).toEqual([
      "anon-user",
      "local-userpass",
    ]);
    expect(user.profile.email).toBe("linked@example.com");
    const viaEmail = await newApp(server()).logIn(
      Credentials.emailPassword("linked@example.com", "secret-password"),
    );
    expect(viaEmail.id).toBe(user.id);
    await expect(user.linkCredentials(Credentials.anonymous())).rejects.toThrow(
      "Cannot add anonymous credentials to an existing user",
    );
  });
});

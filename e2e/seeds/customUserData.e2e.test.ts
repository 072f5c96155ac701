/**
 * Seeds 000/001, "Custom User Data", translated to TypeScript: read `user.customData`, write it
 * through the seed's `writeCustomUserData` function, and see it after `refreshCustomData()`.
 */
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import type { App } from "@atoll/client";
import { Credentials } from "@atoll/client";
import { useApps } from "../../packages/client/src/test-support/appClients.js";
import { useSyncServer } from "../support/syncHarness.js";

describe("seeds 000/001: custom user data", () => {
  const server = useSyncServer();
  const newApp = useApps();

  async function loggedInApp(): Promise<App> {
    const app = newApp(server());
    const email = `cud-${new ObjectId().toHexString()}@example.com`;
    await app.emailPasswordAuth.registerUser({ email, password: "pizza-lover" });
    await app.logIn(Credentials.emailPassword(email, "pizza-lover"));
    return app;
  }

  it("reads, writes through the seed's function, and refreshes custom user data", async () => {
    const app = await loggedInApp();
    const user = app.currentUser!;
    const customUserData = user.customData;
    expect(customUserData).toEqual({});

    const updatedTimestamp = Date.now();
    const updatedCustomUserData = {
      userId: user.id,
      favoriteFood: "pizza",
      lastUpdated: updatedTimestamp,
    };
    const functionResponse = await user.functions.writeCustomUserData!(updatedCustomUserData);
    expect(functionResponse).toMatchObject({ matchedCount: 0, modifiedCount: 0 });
    expect((functionResponse as { upsertedId: unknown }).upsertedId).toBeInstanceOf(ObjectId);
    // Contains the `updatedCustomUserData` object just added in the above function call.
    const refreshed = await user.refreshCustomData();
    expect(refreshed).toMatchObject(updatedCustomUserData);
    expect(refreshed._id).toBeInstanceOf(ObjectId);
    expect(user.customData).toEqual(refreshed);

    await user.functions.call("writeCustomUserData", { favoriteFood: "ramen" });
    expect(await user.refreshCustomData()).toMatchObject({
      ...updatedCustomUserData,
      favoriteFood: "ramen",
    });
  });

  it("does not update customData until it is refreshed", async () => {
    const app = await loggedInApp();
    const user = app.currentUser!;
    await user.callFunction("writeCustomUserData", { userId: user.id, favoriteFood: "soup" });
    expect(user.customData).toEqual({});
    expect(await user.refreshCustomData()).toMatchObject({ favoriteFood: "soup" });
  });
});

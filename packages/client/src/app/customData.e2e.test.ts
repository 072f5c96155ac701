/**
 * Custom user data beyond the seeds' example (000/001, in e2e/seeds): BSON values in it keep
 * their types, and it is there again at the next login.
 */
import { Decimal128, Long, ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { useApps } from "../test-support/appClients.js";
import { useAppServer } from "../test-support/appServer.js";
import { Credentials } from "./Credentials.js";

const server = useAppServer();
const newApp = useApps();

describe("custom user data", () => {
  it("keeps BSON types and is there at the next login", async () => {
    const app = newApp(server());
    const user = await app.logIn(Credentials.anonymous());
    const values = {
      since: new Date("2024-02-29T12:00:00.000Z"),
      carId: new ObjectId(),
      balance: Decimal128.fromString("1234.5600"),
      // An int64 arrives as a JS number when it is a safe integer, as in Realm JS.
      count: Long.fromString("1099511627776"),
      visits: 7,
      tags: ["a", "b"],
    };
    await user.callFunction("writeCustomUserData", values);
    const customData = await user.refreshCustomData();
    expect(customData).toMatchObject({ ...values, count: 1099511627776, userId: user.id });
    expect(customData.since).toBeInstanceOf(Date);
    expect(String(customData.balance)).toBe("1234.5600");

    await user.logOut();
    const email = "bson-cud@example.com";
    await app.emailPasswordAuth.registerUser({ email, password: "pizza-lover" });
    const other = await app.logIn(Credentials.emailPassword(email, "pizza-lover"));
    await other.functions.call("writeCustomUserData", { favoriteFood: "soup" });
    await other.logOut();
    const again = await app.logIn(Credentials.emailPassword(email, "pizza-lover"));
    expect(again.customData).toMatchObject({ favoriteFood: "soup", userId: again.id });
  });
});

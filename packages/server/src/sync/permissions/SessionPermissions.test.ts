import { fileURLToPath } from "node:url";
import { bindQuery } from "@atoll/rql";
import { ObjectId } from "bson";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAppConfig } from "../../config/loadAppConfig.js";
import type { AppConfig, RuleSet } from "../../config/types.js";
import { ruleContextFor } from "../../rules/RuleContext.js";
import { buildSyncModel, type SyncModel } from "../syncSchema.js";
import { testUser } from "../test-support/carsFixture.js";
import { SessionPermissions } from "./SessionPermissions.js";

const carsDir = fileURLToPath(new URL("../../../../../examples/cars", import.meta.url));

describe("sync session permissions under the seeds' owner-read-write role", () => {
  let config: AppConfig;
  let model: SyncModel;
  let rules: Map<string, RuleSet | undefined>;

  beforeAll(async () => {
    config = await loadAppConfig(carsDir);
    const source = config.dataSources.get(config.sync.serviceName)!;
    model = buildSyncModel(source.collections.values(), { database: config.sync.databaseName });
    rules = new Map(
      [...model.tables.values()].map((t) => [
        t.name,
        source.collections.get(`${t.database}.${t.collection}`)?.rules ?? source.defaultRule,
      ]),
    );
  });

  async function session(userId: string) {
    const permissions = await SessionPermissions.start(
      rules,
      ruleContextFor(config, testUser(userId)),
    );
    // The seeds' subscription: cars with fewer than 100 miles, or no miles.
    const queries = [bindQuery("miles < 100 OR miles == $0", model.schema, "Car", [null])];
    return { permissions, queries };
  }

  it("chooses the role once for the session and captures %%user.id in its filters", async () => {
    const { permissions } = await session("user-a");
    const access = permissions.tableAccess("Car")!;
    expect(access.role?.name).toBe("owner-read-write");
    expect(access.readFilter).toEqual({ ownerId: "user-a" });
    expect(access.writeFilter).toEqual({ ownerId: "user-a" });
  });

  it("allows the seeds' successful write: own car, inside the subscription", async () => {
    const { permissions, queries } = await session("user-a");
    const car = { _id: new ObjectId(), ownerId: "user-a", make: "Toyota", miles: 2 };
    expect(await permissions.denial("Car", car._id, undefined, car, queries)).toBeUndefined();
  });

  it("rejects a car outside the subscription with the query-view reason", async () => {
    const { permissions, queries } = await session("user-a");
    const oldCar = {
      _id: new ObjectId("6424433fd4d9f52ee93ad590"),
      ownerId: "user-a",
      make: "Honda",
      miles: 90000,
    };
    expect(await permissions.denial("Car", oldCar._id, undefined, oldCar, queries)).toBe(
      'write to "6424433fd4d9f52ee93ad590" in table "Car" not allowed; object is outside of the current query view',
    );
  });

  it("rejects another user's car with the write-filter reason naming the role", async () => {
    const { permissions, queries } = await session("user-a");
    const otherUsersCar = {
      _id: new ObjectId("6424433fd4d9f52ee93ad591"),
      ownerId: "someOtherId",
      make: "Ford",
    };
    expect(
      await permissions.denial("Car", otherUsersCar._id, undefined, otherUsersCar, queries),
    ).toBe(
      'write to "6424433fd4d9f52ee93ad591" in table "Car" was denied by write filter in role "owner-read-write"',
    );
    // taking over someone else's car is denied too, judged on the car as it was
    const mine = { ...otherUsersCar, ownerId: "user-a" };
    expect(await permissions.denial("Car", mine._id, otherUsersCar, mine, queries)).toMatch(
      /denied by write filter/,
    );
  });

  it("sees only the user's own cars in its view, and lets the owner delete one in view", async () => {
    const { permissions, queries } = await session("user-b");
    const own = { _id: new ObjectId(), ownerId: "user-b", make: "Kia", miles: 10 };
    const foreign = { ...own, _id: new ObjectId(), ownerId: "user-a" };
    expect(permissions.inView("Car", own, queries)).toBe(true);
    expect(permissions.inView("Car", foreign, queries)).toBe(false);
    expect(await permissions.denial("Car", own._id, own, undefined, queries)).toBeUndefined();
  });
});

import { bindQuery } from "@atoll/rql";
import { ObjectId } from "bson";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStorage } from "../../storage/openStorage.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { SessionPermissions } from "../permissions/SessionPermissions.js";
import { carModel, ownerReadWrite, ruleContextForUser } from "../test-support/carsFixture.js";
import { changedTables, viewChanges, type ViewQueries } from "./viewChanges.js";
import { takeViewSnapshot } from "./ViewSnapshot.js";

const model = carModel;

describe("view changes on a new subscription set", () => {
  let storage: StorageEngine;
  let permissions: SessionPermissions;
  const cars = [
    ...[1, 5, 50, 500].map((miles) => ({ _id: new ObjectId(), ownerId: "ann", miles })),
    { _id: new ObjectId(), ownerId: "ann", miles: null },
    { _id: new ObjectId(), ownerId: "bob", miles: 3 },
  ];

  beforeEach(async () => {
    storage = await openStorage("memory");
    await storage.commit(
      cars.map((doc) => ({ kind: "insert" as const, ns: { db: "cars-db", coll: "Car" }, doc })),
    );
    permissions = await SessionPermissions.start(
      new Map([["Car", ownerReadWrite]]),
      ruleContextForUser("ann"),
    );
  });
  afterEach(async () => storage.close());

  const queries = (rql: string): ViewQueries =>
    new Map([["Car", [bindQuery(rql, model.schema, "Car")]]]);
  async function collect(before: ViewQueries, after: ViewQueries, batchSize = 100) {
    const snapshot = await takeViewSnapshot(storage, model, changedTables(before, after), 0, [
      before,
      after,
    ]);
    return [...viewChanges({ snapshot, model, permissions, before, after, batchSize })];
  }

  it("sends the objects entering the view whole, and only the user's own", async () => {
    const [batch, ...rest] = await collect(new Map(), queries("miles < 100 OR miles == nil"));
    expect(rest).toEqual([]);
    expect(batch!.entered).toBe(4);
    const created = batch!.instructions
      .filter((i) => i.type === "CreateObject")
      .map((i) => String(i.pk));
    expect(created.sort()).toEqual(
      cars
        .filter((c) => c.ownerId === "ann" && (c.miles ?? 0) < 100)
        .map((c) => String(c._id))
        .sort(),
    );
    expect(batch!.instructions).toContainEqual({
      type: "Update",
      table: "Car",
      pk: cars[0]!._id,
      path: ["ownerId"],
      value: "ann",
    });
  });

  it("sends only the difference when the set narrows or widens, in batches of whole objects", async () => {
    const narrowed = await collect(queries("miles < 100 OR miles == nil"), queries("miles < 10"));
    expect(narrowed.flatMap((b) => b.instructions)).toEqual(
      [cars[2]!, cars[4]!].map((c) => ({ type: "EraseObject", table: "Car", pk: c._id })),
    );
    const widened = await collect(queries("miles < 10"), queries("TRUEPREDICATE"), 1);
    expect(widened.map((b) => b.entered)).toEqual([1, 1, 1]);
    expect(widened.every((b) => b.instructions[0]?.type === "CreateObject")).toBe(true);
  });

  it("keeps in the snapshot only the documents a query of either view can admit", async () => {
    const before = queries("miles == 1");
    const after = queries("ownerId == 'bob'");
    const snapshot = await takeViewSnapshot(storage, model, ["Car"], 0, [before, after]);
    expect(snapshot.tables.get("Car")?.map((doc) => doc.miles)).toEqual([1, 3]);
  });
});

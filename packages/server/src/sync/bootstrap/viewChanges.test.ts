import { bindQuery } from "@atoll/rql";
import { ObjectId } from "bson";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { UserContext } from "../../callerContext.js";
import type { RuleSet } from "../../config/types.js";
import { ruleContextFor } from "../../rules/RuleContext.js";
import { openStorage } from "../../storage/openStorage.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { SessionPermissions } from "../permissions/SessionPermissions.js";
import type { SyncModel } from "../syncSchema.js";
import { viewChanges, type ViewQueries } from "./viewChanges.js";

const model: SyncModel = {
  schema: {
    Car: {
      name: "Car",
      primaryKey: "_id",
      properties: {
        _id: { name: "_id", type: "objectId", optional: false },
        ownerId: { name: "ownerId", type: "string", optional: false },
        miles: { name: "miles", type: "int", optional: true },
      },
    },
  },
  tables: new Map([
    ["Car", { name: "Car", database: "cars-db", collection: "Car", asymmetric: false }],
  ]),
};
const ownerReadWrite: RuleSet = {
  roles: [
    {
      name: "owner-read-write",
      apply_when: {},
      document_filters: { read: { ownerId: "%%user.id" }, write: { ownerId: "%%user.id" } },
      read: true,
      write: true,
    },
  ],
  filters: [],
};
const user: UserContext = { id: "ann", type: "normal", data: {}, custom_data: {}, identities: [] };
const config = { values: new Map(), environment: "", environmentValues: {} };

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
      ruleContextFor(config, user),
    );
  });
  afterEach(async () => storage.close());

  const queries = (rql: string): ViewQueries =>
    new Map([["Car", [bindQuery(rql, model.schema, "Car")]]]);
  async function collect(before: ViewQueries, after: ViewQueries, batchSize = 100) {
    const batches = [];
    for await (const batch of viewChanges({
      storage,
      model,
      permissions,
      before,
      after,
      batchSize,
    }))
      batches.push(batch);
    return batches;
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
});

/** The seeds' Car model, role and a user, shared by the sync tests. */
import type { RqlSchema } from "@atoll/rql";
import type { UserContext } from "../../callerContext.js";
import type { RuleSet } from "../../config/types.js";
import { ruleContextFor, type RuleContext } from "../../rules/RuleContext.js";
import type { SyncModel } from "../syncSchema.js";

export const carSchema: RqlSchema = {
  Car: {
    name: "Car",
    primaryKey: "_id",
    properties: {
      _id: { name: "_id", type: "objectId", optional: false },
      ownerId: { name: "ownerId", type: "string", optional: false },
      make: { name: "make", type: "string", optional: false },
      model: { name: "model", type: "string", optional: true },
      miles: { name: "miles", type: "int", optional: true },
    },
  },
};

export const carModel: SyncModel = {
  schema: carSchema,
  tables: new Map([
    ["Car", { name: "Car", database: "cars-db", collection: "Car", asymmetric: false }],
  ]),
};

export const CARS_NAMESPACE = { db: "cars-db", coll: "Car" };

/** The seeds' `owner-read-write` role, verbatim. */
export const ownerReadWrite: RuleSet = {
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

export function testUser(id: string): UserContext {
  return {
    id,
    type: "normal",
    data: {},
    custom_data: {},
    identities: [{ id, provider_type: "anon-user" }],
  };
}

export function ruleContextForUser(id: string): RuleContext {
  return ruleContextFor(
    { values: new Map(), environment: "", environmentValues: {} },
    testUser(id),
  );
}

import type { RqlSchema } from "@atoll/rql";
import { describe, expect, it } from "vitest";
import type { SyncModel } from "../syncSchema.js";
import { carSchema } from "../test-support/carsFixture.js";
import { bindSubscription, type QueryableFields } from "./bindSubscription.js";
import { SubscriptionQueryError } from "./SubscriptionQueryError.js";

const schema: RqlSchema = {
  Car: {
    ...carSchema.Car!,
    properties: {
      ...carSchema.Car!.properties,
      tags: { name: "tags", type: "string", collection: "list", optional: false },
      dealer: { name: "dealer", type: "object", objectType: "Dealer", optional: true },
    },
  },
  Dealer: {
    name: "Dealer",
    primaryKey: "_id",
    properties: {
      _id: { name: "_id", type: "objectId", optional: false },
      city: { name: "city", type: "string", optional: false },
    },
  },
  Reading: {
    name: "Reading",
    primaryKey: "_id",
    asymmetric: true,
    properties: { _id: { name: "_id", type: "objectId", optional: false } },
  },
};
const model: SyncModel = {
  schema,
  tables: new Map(
    ["Car", "Dealer", "Reading"].map((name) => [
      name,
      { name, database: "db", collection: name, asymmetric: name === "Reading" },
    ]),
  ),
};
const queryable: QueryableFields = {
  global: ["miles", "ownerId"],
  byTable: { Car: ["tags", "dealer"] },
};

function refusal(table: string, query: string): string {
  try {
    bindSubscription(model, queryable, table, query);
  } catch (error) {
    expect(error).toBeInstanceOf(SubscriptionQueryError);
    expect((error as SubscriptionQueryError).code).toBe(226);
    return (error as Error).message;
  }
  throw new Error(`expected "${query}" on ${table} to be refused`);
}

describe("subscription queries", () => {
  it("accepts what flexible sync serves", () => {
    for (const query of [
      "miles < 100 OR miles == nil",
      'ownerId == "abc" AND miles BETWEEN {1, 10}',
      "_id == oid(6424433fd4d9f52ee93ad590)",
      "miles IN {1, 2, 3}",
      "'red' IN tags",
      "tags.@count > 2",
      'ownerId BEGINSWITH[c] "a"',
      "TRUEPREDICATE",
      "NOT (miles > 5)",
    ]) {
      expect(bindSubscription(model, queryable, "Car", query).className, query).toBe("Car");
    }
  });

  it("refuses a field that is not queryable, naming it as Atlas does", () => {
    expect(refusal("Car", 'make == "Honda"')).toBe(
      'Client provided query with bad syntax: unsupported query for table "Car": key "make" is not a queryable field',
    );
  });

  it("refuses what flexible sync does not serve", () => {
    expect(refusal("Car", "miles > 1 SORT(miles ASC)")).toMatch(/SORT, DISTINCT and LIMIT/);
    expect(refusal("Car", "dealer.city == 'Oslo'")).toMatch(/paths through links/);
    expect(refusal("Car", "SUBQUERY(tags, $t, $t == 'a').@count > 0")).toMatch(/SUBQUERY/);
    expect(refusal("Car", "ANY {'a', 'b'} == ANY tags")).toMatch(/comparing two collections/);
    expect(refusal("Reading", "TRUEPREDICATE")).toMatch(
      /asymmetric tables cannot be subscribed to/,
    );
    expect(refusal("Boat", "TRUEPREDICATE")).toMatch(/not synced/);
    expect(refusal("Car", "miles > ")).toMatch(/^Client provided query with bad syntax: /);
    expect(refusal("Car", "nosuch == 1")).toMatch(/^Client provided query with bad syntax: /);
    expect(
      refusal(
        "Car",
        `ownerId IN {${Array.from({ length: 30000 }, (_, i) => `"user-${i}"`).join(",")}}`,
      ),
    ).toMatch(/larger than/);
  });

  it("refuses full-text search (TEXT), alone or inside a predicate, as bad_query", () => {
    for (const query of ["make TEXT 'fast'", "miles < 5 AND NOT (make TEXT 'fast -red')"]) {
      expect(refusal("Car", query)).toMatch(/full-text search \(TEXT\) is not supported/);
    }
  });
});

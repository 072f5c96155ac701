/**
 * Subscription set editing as Realm JS v12 does it (named and unnamed subscriptions, updates,
 * removals), the query text a Results sends, and the per-type query body of a set.
 */
import { describe, expect, it } from "vitest";
import { useRealms, useTempDir } from "../test-support/realms.js";
import { MutableSubscriptionSet } from "./SubscriptionSet.js";
import { queryBody } from "./SubscriptionStore.js";
import type { StoredSubscription } from "./SubscriptionStore.js";
import { SubscriptionSetState } from "./types.js";

function queryBodyOf(subscriptions: readonly StoredSubscription[]): Record<string, string> {
  return queryBody({ version: 1, state: SubscriptionSetState.Pending, error: null, subscriptions });
}

describe("subscription sets", () => {
  const path = useTempDir();
  const open = useRealms();
  const schema = [
    {
      name: "Car",
      primaryKey: "_id",
      properties: { _id: "objectId", ownerId: "string", make: "string", miles: "int?" },
    },
  ];

  function cars() {
    return open({ path: path(), schema }).objects("Car");
  }

  it("describes Results as RQL with the arguments inlined", () => {
    const all = cars();
    expect(all.description()).toBe("TRUEPREDICATE");
    expect(all.filtered("miles < 100 OR miles == $0", null).description()).toBe(
      "miles < 100 OR miles == null",
    );
    expect(all.filtered("ownerId == $0", 'say "hi"').filtered("miles > 3").description()).toBe(
      '(ownerId == "say \\"hi\\"") AND (miles > 3)',
    );
  });

  it("adds, finds and updates named and unnamed subscriptions", () => {
    const all = cars();
    const subs = new MutableSubscriptionSet([]);
    const low = subs.add(all.filtered("miles < 100"), { name: "low" });
    expect(subs.add(all.filtered("miles < 100"), { name: "low" }).id).toEqual(low.id);
    const unnamed = subs.add(all.filtered("miles > 5"));
    expect(subs.add(all.filtered("miles > 5")).id).toEqual(unnamed.id);
    expect(subs.length).toBe(2);

    expect(() =>
      subs.add(all.filtered("miles < 50"), { name: "low", throwOnUpdate: true }),
    ).toThrow(/already exists but has a different query/);
    const updated = subs.add(all.filtered("miles < 50"), { name: "low" });
    expect([updated.id, updated.queryString]).toEqual([low.id, "miles < 50"]);
    expect(subs.findByName("low")?.queryString).toBe("miles < 50");
    expect(subs.findByQuery(all.filtered("miles > 5"))?.name).toBeNull();
    expect([...subs].map((sub) => sub.objectType)).toEqual(["Car", "Car"]);
  });

  it("removes by query, name, subscription, type, unnamed and all", () => {
    const all = cars();
    const subs = new MutableSubscriptionSet([]);
    subs.add(all.filtered("miles < 1"), { name: "a" });
    const b = subs.add(all.filtered("miles < 2"), { name: "b" });
    subs.add(all.filtered("miles < 3"));
    subs.add(all.filtered("miles < 4"));
    expect(subs.remove(all.filtered("miles < 3"))).toBe(true);
    expect(subs.remove(all.filtered("miles < 3"))).toBe(false);
    expect(subs.removeUnnamed()).toBe(1);
    expect(subs.removeSubscription(b)).toBe(true);
    expect(subs.removeByName("a")).toBe(true);
    expect(subs.isEmpty).toBe(true);
    subs.add(all.filtered("miles < 5"));
    subs.add(all.filtered("miles < 6"));
    expect(subs.removeByObjectType("Car")).toBe(2);
    subs.add(all.filtered("miles < 7"));
    expect(subs.removeAll()).toBe(1);
  });

  it("refuses anything but Results", () => {
    const subs = new MutableSubscriptionSet([]);
    expect(() => subs.add({} as never)).toThrow(/needs the Results of a query/);
  });

  it("joins several queries on one type with OR in the query body", () => {
    const all = cars();
    const subs = new MutableSubscriptionSet([]);
    subs.add(all.filtered("miles < 100"), { name: "low" });
    subs.add(all.filtered("ownerId == $0", "me"));
    subs.add(all.filtered("miles < 100"));
    const body = queryBodyOf(subs.result());
    expect(body).toEqual({ Car: '(miles < 100) OR (ownerId == "me")' });
    expect(queryBodyOf([])).toEqual({});
  });
});

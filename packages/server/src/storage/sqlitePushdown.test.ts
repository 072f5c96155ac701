/** What the SQLite renderer translates; the property that it loses nothing is in pushdown.sqlite.fuzz.test.ts. */
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { pushdownCondition } from "./sqlitePushdown.js";

describe("SQLite pushdown", () => {
  it("translates only what it can express", () => {
    expect(pushdownCondition({ ownerId: "u1" })?.params).toEqual([
      '$."ownerId"',
      '$."ownerId"',
      "u1",
    ]);
    expect(
      pushdownCondition({
        "a.b": 1,
        $or: [{ a: 1 }, { c: { $ne: 1 } }],
        c: { $ne: 1 },
        d: new ObjectId(),
      }),
    ).toBeNull();
    expect(pushdownCondition({ $or: [{ a: 1 }, { b: "x" }] })?.sql).toContain(" OR ");
  });
});

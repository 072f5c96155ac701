import { Long, ObjectId } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changedTables, readFingerprints } from "./readFingerprints.js";

describe("read fingerprints", () => {
  it("are equal for equal filters whatever their key order, and differ when a value differs", () => {
    const id = new ObjectId();
    const a = readFingerprints(
      new Map([["Car", { ownerId: "u1", team: { $in: [id, Long.fromInt(2)] } }]]),
    );
    const b = readFingerprints(
      new Map([["Car", { team: { $in: [id, Long.fromInt(2)] }, ownerId: "u1" }]]),
    );
    const c = readFingerprints(
      new Map([["Car", { ownerId: "u2", team: { $in: [id, Long.fromInt(2)] } }]]),
    );
    const d = readFingerprints(new Map([["Car", { ownerId: "u1", team: { $in: [id, 2] } }]]));
    expect(a).toEqual(b);
    expect(a["Car"]).not.toBe(c["Car"]);
    expect(a["Car"]).not.toBe(d["Car"]); // an int64 and a double are different filters
  });

  it("name only the tables both know whose filters changed", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("A", "B", "C", "D"), fc.string({ maxLength: 3 })),
        fc.dictionary(fc.constantFrom("A", "B", "C", "D"), fc.string({ maxLength: 3 })),
        (before, now) => {
          const fingerprints = (owners: Record<string, string>) =>
            readFingerprints(new Map(Object.entries(owners).map(([t, o]) => [t, { ownerId: o }])));
          const changed = changedTables(fingerprints(before), fingerprints(now));
          const expected = Object.keys(now).filter(
            (table) => Object.hasOwn(before, table) && before[table] !== now[table],
          );
          expect(changed.sort()).toEqual(expected.sort());
        },
      ),
    );
  });
});

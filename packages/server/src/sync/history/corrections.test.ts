/** Corrections go to exactly the objects whose merged effect differs from the upload. */
import type { Instruction } from "@atoll/protocol";
import { Long } from "bson";
import { describe, expect, it } from "vitest";
import { groupByObject } from "../groupByObject.js";
import { correctionsFor, type RestoreObject } from "./corrections.js";

const set = (pk: string, miles: number): Instruction => ({
  type: "Update",
  table: "Car",
  pk,
  path: ["miles"],
  value: Long.fromNumber(miles),
});

const restore: RestoreObject = (table, pk, after) =>
  after ? [{ type: "CreateObject", table, pk }] : [{ type: "EraseObject", table, pk }];

/** `correctionsFor` on plain instruction lists. */
function corrections(
  uploaded: Instruction[],
  effective: Instruction[],
  after: (key: string) => { miles: number } | undefined,
): Instruction[] {
  const applied = groupByObject(effective);
  return correctionsFor(
    groupByObject(uploaded),
    (key) => applied.get(key)?.instructions,
    after,
    restore,
  );
}

describe("correctionsFor", () => {
  it("corrects nothing when everything uploaded was applied as uploaded", () => {
    const uploaded = [set("a", 1), set("b", 2)];
    expect(corrections(uploaded, uploaded, () => ({ miles: 0 }))).toEqual([]);
  });

  it("restores a rejected object, an object whose write lost, and one whose value changed", () => {
    const uploaded = [set("kept", 1), set("rejected", 2), set("lost", 3), set("folded", 4)];
    const effective = [set("kept", 1), set("folded", 5)];
    const after = (key: string) => (key.includes("rejected") ? undefined : { miles: 9 });
    expect(corrections(uploaded, effective, after)).toEqual([
      { type: "EraseObject", table: "Car", pk: "rejected" },
      { type: "CreateObject", table: "Car", pk: "lost" },
      { type: "CreateObject", table: "Car", pk: "folded" },
    ]);
  });
});

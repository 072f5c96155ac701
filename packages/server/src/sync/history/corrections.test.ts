/** Corrections go to exactly the objects whose merged effect differs from the upload. */
import type { Instruction } from "@atoll/protocol";
import { Long } from "bson";
import { describe, expect, it } from "vitest";
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

describe("correctionsFor", () => {
  it("corrects nothing when everything uploaded was applied as uploaded", () => {
    const uploaded = [set("a", 1), set("b", 2)];
    expect(correctionsFor(uploaded, uploaded, () => ({}), restore)).toEqual([]);
  });

  it("restores a rejected object, an object whose write lost, and one whose value changed", () => {
    const uploaded = [set("kept", 1), set("rejected", 2), set("lost", 3), set("folded", 4)];
    const effective = [set("kept", 1), set("folded", 5)];
    const after = (key: string) => (key.includes("rejected") ? undefined : { miles: 9 });
    expect(correctionsFor(uploaded, effective, after, restore)).toEqual([
      { type: "EraseObject", table: "Car", pk: "rejected" },
      { type: "CreateObject", table: "Car", pk: "lost" },
      { type: "CreateObject", table: "Car", pk: "folded" },
    ]);
  });
});

import type { Instruction } from "@atoll/protocol";
import { bindQuery } from "@atoll/rql";
import { Long, ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import type { Document } from "../../data/types.js";
import { carSchema, ownerReadWrite, ruleContextForUser } from "../test-support/carsFixture.js";
import { judgeUpload } from "./judgeUpload.js";
import { SessionPermissions } from "./SessionPermissions.js";

const schema = carSchema;
const rules = ownerReadWrite;

function car(pk: ObjectId, ownerId: string, make: string, miles?: number): Instruction[] {
  return [
    { type: "CreateObject", table: "Car", pk },
    { type: "Update", table: "Car", pk, path: ["ownerId"], value: ownerId },
    { type: "Update", table: "Car", pk, path: ["make"], value: make },
    ...(miles === undefined
      ? []
      : [
          {
            type: "Update",
            table: "Car",
            pk,
            path: ["miles"],
            value: Long.fromNumber(miles),
          } as Instruction,
        ]),
  ];
}

describe("judging an upload", () => {
  it("rejects the seeds' two illegal cars with their reasons and lets the legal writes around them through", async () => {
    const permissions = await SessionPermissions.start(
      new Map([["Car", rules]]),
      ruleContextForUser("ann"),
    );
    const queries = new Map([
      ["Car", [bindQuery("miles < 100 OR miles == $0", schema, "Car", [null])]],
    ]);
    const [newCar, oldCar, otherUsersCar, later] = [
      new ObjectId(),
      new ObjectId(),
      new ObjectId(),
      new ObjectId(),
    ];
    const upload = [
      ...car(newCar, "ann", "Toyota", 2),
      ...car(oldCar, "ann", "Honda", 90000),
      ...car(otherUsersCar, "someOtherId", "Ford"),
      ...car(later, "ann", "Kia", 7),
    ];
    const existing = new Map<string, Document>();
    const judgement = await judgeUpload(upload, permissions, queries, async (_t, pk) =>
      existing.get(String(pk)),
    );
    expect(judgement.rejected).toEqual([
      {
        table: "Car",
        pk: oldCar,
        reason: `write to "${oldCar.toHexString()}" in table "Car" not allowed; object is outside of the current query view`,
      },
      {
        table: "Car",
        pk: otherUsersCar,
        reason: `write to "${otherUsersCar.toHexString()}" in table "Car" was denied by write filter in role "owner-read-write"`,
      },
    ]);
    expect(new Set(judgement.allowed.map((i) => String(i.pk)))).toEqual(
      new Set([String(newCar), String(later)]),
    );
    expect(judgement.allowed).toHaveLength(8);
  });
});

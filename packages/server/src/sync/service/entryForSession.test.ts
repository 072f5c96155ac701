/**
 * Property: whatever an entry does to an object (create, update, erase) and whatever the
 * session's view, a device that held the object exactly when it was in its view before the
 * entry holds it exactly when it is in its view after applying what the session receives, with
 * the server's fields. Sessions with different views reading one entry get their own result.
 */
import { decodeChangeset, type Instruction } from "@atoll/protocol";
import { bindQuery } from "@atoll/rql";
import { Long, ObjectId } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Document } from "../../data/types.js";
import { bsonEquals } from "../bsonEquals.js";
import { instructionsForDocument } from "../documentInstructions.js";
import { applyToDocument } from "../documentPatch.js";
import type { SyncEntry } from "../history/historyEntries.js";
import { SessionPermissions } from "../permissions/SessionPermissions.js";
import {
  carModel,
  carSchema,
  ownerReadWrite,
  ruleContextForUser,
} from "../test-support/carsFixture.js";
import { changesetForSession, type SessionView } from "./entryForSession.js";

const ID = new ObjectId("64244340d4d9f52ee93ad590");
const car = fc.option(
  fc.record({ ownerId: fc.constantFrom("alice", "bob"), miles: fc.integer({ min: 0, max: 200 }) }),
  { nil: undefined },
);

function doc(state: { ownerId: string; miles: number } | undefined): Document | undefined {
  return state && { _id: ID, ownerId: state.ownerId, make: "Kia", miles: state.miles };
}

/** The entry another device's write makes: create, field updates or erase. */
function entryFor(before: Document | undefined, after: Document | undefined): SyncEntry {
  const instructions: Instruction[] =
    after === undefined
      ? before === undefined
        ? []
        : [{ type: "EraseObject", table: "Car", pk: ID }]
      : before === undefined
        ? instructionsForDocument(carSchema, "Car", after)
        : [
            {
              type: "Update",
              table: "Car",
              pk: ID,
              path: ["ownerId"],
              value: after.ownerId as string,
            },
            {
              type: "Update",
              table: "Car",
              pk: ID,
              path: ["miles"],
              value: Long.fromNumber(after.miles as number),
            },
          ];
  return {
    version: 7,
    originIdent: 3,
    originTimestamp: 1,
    clientVersion: 1,
    instructions,
    objects:
      before === undefined && after === undefined
        ? []
        : [{ table: "Car", pk: ID, ...(before ? { before } : {}), ...(after ? { after } : {}) }],
    corrections: [],
    rejected: [],
  };
}

async function viewOf(user: string, rql: string): Promise<SessionView> {
  const permissions = await SessionPermissions.start(
    new Map([["Car", ownerReadWrite]]),
    ruleContextForUser(user),
  );
  const queries = [bindQuery(rql, carModel.schema, "Car")];
  return {
    clientFileIdent: 2,
    schema: carSchema,
    inView: (table, d) => permissions.inView(table, d, queries),
  };
}

function sameFields(a: Document | undefined, b: Document | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return ["_id", "ownerId", "make", "miles"].every((field) => bsonEquals(a[field], b[field]));
}

describe("changesetForSession", () => {
  it("leaves the device holding exactly the object's state in its view", async () => {
    const views = [await viewOf("alice", "miles < 100"), await viewOf("bob", "miles >= 50")];
    fc.assert(
      fc.property(car, car, fc.constantFrom(0, 1), (beforeState, afterState, which) => {
        const view = views[which]!;
        const before = doc(beforeState);
        const after = doc(afterState);
        const entry = entryFor(before, after);
        let held = before !== undefined && view.inView("Car", before) ? before : undefined;
        const changeset = changesetForSession(entry, view);
        for (const instruction of changeset ? decodeChangeset(changeset) : [])
          held = applyToDocument(held, instruction);
        const expected = after !== undefined && view.inView("Car", after) ? after : undefined;
        expect(sameFields(held, expected)).toBe(true);
      }),
    );
  });

  it("gives each view its own outcome for one entry, and the origin only its corrections", async () => {
    const alice = await viewOf("alice", "miles < 100");
    const bob = await viewOf("bob", "miles >= 0");
    const entry = entryFor(undefined, doc({ ownerId: "alice", miles: 10 }));
    expect(decodeChangeset(changesetForSession(entry, alice)!)[0]?.type).toBe("CreateObject");
    expect(changesetForSession(entry, bob)).toBeUndefined();
    expect(changesetForSession(entry, { ...alice, clientFileIdent: 3 })).toBeUndefined();
    const corrected = {
      ...entry,
      corrections: [{ type: "EraseObject", table: "Car", pk: ID } as Instruction],
    };
    expect(
      decodeChangeset(changesetForSession(corrected, { ...alice, clientFileIdent: 3 })!),
    ).toEqual([{ type: "EraseObject", table: "Car", pk: ID }]);
  });

  it("gives the origin back, whole, an object its own entry moved into its view", async () => {
    const origin = { ...(await viewOf("alice", "miles < 100")), clientFileIdent: 3 };
    const after = doc({ ownerId: "alice", miles: 10 })!;
    const entry = entryFor(doc({ ownerId: "alice", miles: 150 }), after);
    const received = decodeChangeset(changesetForSession(entry, origin)!);
    expect(received[0]).toEqual({ type: "EraseObject", table: "Car", pk: ID });
    let held: Document | undefined = doc({ ownerId: "alice", miles: 150 });
    for (const instruction of received) held = applyToDocument(held, instruction);
    expect(sameFields(held, after)).toBe(true);
    // Already in its view before: the device holds it with its own write, nothing to send.
    expect(changesetForSession(entryFor(doc({ ownerId: "alice", miles: 20 }), after), origin)).toBe(
      undefined,
    );
  });
});

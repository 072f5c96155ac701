/**
 * Property: whatever mix of local writes (real `realm.write`s), server changesets (generated
 * instructions over the same objects) and acknowledgements arrives, the realm holds exactly the
 * confirmed state — server changesets and acknowledged local changesets in the contract's order —
 * with the pending local changesets replayed on top, as computed from scratch on a second realm.
 * Readings (an asymmetric type) never appear as objects: the model's applier skips them as the
 * device's does, and the test checks it sees none. The realm file is also closed and reopened at
 * random points (undo data must survive that). A client reset at a random point replaces the
 * confirmed state with a fresh copy (generated server instructions on an empty state); the
 * pending changesets are then replayed on it (recover) or dropped (discard).
 */
import fc from "fast-check";
import { decodeChangeset } from "@atoll/protocol";
import type { Instruction } from "@atoll/protocol";
import { describe, expect, it } from "vitest";
import { Realm } from "../../Realm.js";
import type { ApplyMode } from "./InstructionApplier.js";
import { useTempDir } from "../../test-support/realms.js";
import { localSyncStateFor } from "./LocalSyncState.js";
import { applyTo, dump, localOp, serverInstructions, writeLocally } from "./randomOperations.js";
import { databaseOf, syncSchema } from "./testSupport.js";

let realmCounter = 0;
const memoryRealm = (): Realm =>
  new Realm({ inMemory: true, path: `rebase-property-${++realmCounter}`, schema: syncSchema });

const action = fc.oneof(
  fc.constant({ type: "reopen" as const }),
  fc.record({
    type: fc.constant("local" as const),
    ops: fc.array(localOp, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant("download" as const),
    changesets: fc.array(
      fc.record({ integrate: fc.nat(), ops: fc.array(localOp, { minLength: 1, maxLength: 4 }) }),
      {
        minLength: 0,
        maxLength: 3,
      },
    ),
    acknowledge: fc.nat(),
  }),
  fc.record({
    type: fc.constant("reset" as const),
    mode: fc.constantFrom("recover" as const, "discard" as const),
    ops: fc.array(localOp, { minLength: 0, maxLength: 6 }),
    /** The file is closed and opened again between the reset's start and its fresh copy. */
    reopenMidway: fc.boolean(),
  }),
);

describe("rebase property", () => {
  const path = useTempDir();

  it("always shows the confirmed state with the pending local changesets replayed on top", () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 30 }), (actions) => {
        const file = path();
        const config = { path: file, schema: syncSchema, sync: { flexible: true as const } };
        let realm = new Realm(config);
        const model = memoryRealm();
        const opened: Realm[] = [model];
        try {
          let state = localSyncStateFor(databaseOf(realm));
          let modelDb = databaseOf(model);
          const confirmedLog: { instructions: Instruction[]; mode: ApplyMode }[] = [];
          const own = new Map<number, Instruction[]>();
          let confirmedThrough = 0;
          let serverVersion = 0;
          const confirmOwn = (through: number): void => {
            for (; confirmedThrough < through;) {
              confirmedThrough++;
              const instructions = own.get(confirmedThrough) ?? [];
              applyTo(modelDb, instructions, "lenient");
              confirmedLog.push({ instructions, mode: "lenient" });
            }
          };
          for (const step of actions) {
            if (step.type === "reopen") {
              realm.close();
              realm = new Realm(config);
              state = localSyncStateFor(databaseOf(realm));
            } else if (step.type === "reset") {
              const fresh = memoryRealm();
              opened.push(fresh);
              modelDb = databaseOf(fresh);
              const instructions: Instruction[] = [];
              for (const op of step.ops) {
                const generated = serverInstructions(modelDb, op);
                applyTo(modelDb, generated, "strict");
                instructions.push(...generated);
              }
              confirmedLog.length = 0;
              confirmedLog.push({ instructions, mode: "strict" });
              if (step.mode === "discard") confirmedThrough = state.lastClientVersion();
              state.beginClientReset({ mode: step.mode, queryVersion: 0 });
              if (step.reopenMidway) {
                realm.close();
                realm = new Realm(config);
                state = localSyncStateFor(databaseOf(realm));
                expect(state.pendingReset()).toEqual({ mode: step.mode, queryVersion: 0 });
                expect(state.metadata().clientFileIdent).toBeNull();
              }
              state.integrate({
                changesets: [
                  {
                    serverVersion: ++serverVersion,
                    lastIntegratedClientVersion: 0,
                    originFileIdent: 2,
                    originTimestamp: 0,
                    instructions,
                  },
                ],
                uploadAcknowledged: 0,
                resetMode: step.mode,
              });
              expect(state.pendingReset()).toBeNull();
            } else if (step.type === "local") {
              realm.write(() => {
                for (const op of step.ops) writeLocally(realm, op);
              });
              for (const upload of state.pendingUploads(Math.max(0, ...own.keys())))
                own.set(upload.clientVersion, decodeChangeset(upload.changeset));
            } else {
              const last = state.lastClientVersion();
              const changesets = step.changesets.map((changeset) => {
                const integrated =
                  confirmedThrough + (changeset.integrate % (last - confirmedThrough + 1));
                confirmOwn(integrated);
                const instructions: Instruction[] = [];
                for (const op of changeset.ops) {
                  const generated = serverInstructions(modelDb, op);
                  applyTo(modelDb, generated, "strict");
                  instructions.push(...generated);
                }
                confirmedLog.push({ instructions, mode: "strict" });
                return {
                  serverVersion: ++serverVersion,
                  lastIntegratedClientVersion: integrated,
                  originFileIdent: 2,
                  originTimestamp: 0,
                  instructions,
                };
              });
              const acknowledged =
                confirmedThrough + (step.acknowledge % (last - confirmedThrough + 1));
              confirmOwn(acknowledged);
              state.integrate({ changesets, uploadAcknowledged: acknowledged });
            }
            const expected = memoryRealm();
            opened.push(expected);
            const expectedDb = databaseOf(expected);
            for (const entry of confirmedLog) applyTo(expectedDb, entry.instructions, entry.mode);
            expect(dump(expectedDb)).toEqual(dump(modelDb));
            for (const [version, instructions] of own)
              if (version > confirmedThrough) applyTo(expectedDb, instructions, "lenient");
            expect(dump(databaseOf(realm))).toEqual(dump(expectedDb));
            expect(databaseOf(realm).classes.get("Reading")?.rows.size).toBe(0);
            // Until acknowledged, a reading is kept on the device, in the upload log.
            const readingsPending = [...own].some(
              ([version, instructions]) =>
                version > confirmedThrough &&
                instructions.some((i) => i.type === "CreateObject" && i.table === "Reading"),
            );
            expect(realm.isEmpty).toBe(databaseOf(realm).rowsByKey.size === 0 && !readingsPending);
            expect(state.pendingUploads().map((p) => p.clientVersion)).toEqual(
              [...own.keys()].filter((v) => v > confirmedThrough),
            );
          }
        } finally {
          realm.close();
          for (const other of opened) other.close();
        }
      }),
      { numRuns: Number(process.env.REBASE_RUNS ?? 100) },
    );
  }, 120_000);
});

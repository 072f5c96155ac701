/**
 * Property: the in-memory pending changesets the integrator keeps between downloads are, after
 * any mix of local writes, downloads (acknowledgements, fast-path and rebased server changesets,
 * bad changesets that change nothing) and reopenings, exactly what reading the upload log from
 * the store gives: the same versions, instructions and undo images.
 */
import fc from "fast-check";
import type { Instruction } from "@atoll/protocol";
import { describe, expect, it } from "vitest";
import { Realm } from "../../Realm.js";
import { useTempDir } from "../../test-support/realms.js";
import { BadChangesetError } from "./BadChangesetError.js";
import { DownloadIntegrator } from "./integrateDownload.js";
import { PendingChangesets } from "./PendingChangesets.js";
import type { PendingChange } from "./PendingChangesets.js";
import { localOp, serverInstructions, writeLocally } from "./randomOperations.js";
import { initialMetadata } from "./syncTypes.js";
import { databaseOf, on, syncSchema } from "./testSupport.js";

/** Server operations whose instructions apply to any state (no list positions, no embedded paths). */
const SAFE_SERVER_KINDS = [0, 1, 2, 3, 4, 7, 8, 10, 11, 13];

const action = fc.oneof(
  fc.constant({ type: "reopen" as const }),
  fc.record({
    type: fc.constant("local" as const),
    ops: fc.array(localOp, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant("download" as const),
    changesets: fc.array(
      fc.record({ integrate: fc.nat(2), ops: fc.array(localOp, { minLength: 1, maxLength: 3 }) }),
      { maxLength: 3 },
    ),
    acknowledge: fc.nat(3),
    bad: fc.nat(9).map((n) => n === 0),
  }),
);

const asPlain = (pending: readonly PendingChange[]): unknown =>
  pending.map(({ version, instructions, undo }) => ({ version, instructions, undo }));

describe("pending changesets kept in memory", () => {
  const path = useTempDir();

  it("match the upload log as read from the store", () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 25 }), (actions) => {
        const config = { path: path(), schema: syncSchema, sync: { flexible: true as const } };
        let realm = new Realm(config);
        try {
          let db = databaseOf(realm);
          let pending = new PendingChangesets(db.store);
          let integrator = new DownloadIntegrator(db, pending);
          // Objects to work on from the start, so local writes and server changes meet.
          const seed = [0, 1, 2].flatMap((a) =>
            serverInstructions(db, { kind: 0, a, b: 0, s: "x" }).concat(
              serverInstructions(db, { kind: 1, a, b: a, s: "x" }),
            ),
          );
          integrator.integrate(
            {
              changesets: [
                {
                  serverVersion: 1,
                  lastIntegratedClientVersion: 0,
                  originFileIdent: 2,
                  originTimestamp: 0,
                  instructions: seed,
                },
              ],
              uploadAcknowledged: 0,
            },
            initialMetadata(),
          );
          let confirmed = 0;
          for (const step of actions) {
            if (step.type === "reopen") {
              realm.close();
              realm = new Realm(config);
              db = databaseOf(realm);
              pending = new PendingChangesets(db.store);
              integrator = new DownloadIntegrator(db, pending);
            } else if (step.type === "local") {
              realm.write(() => {
                for (const op of step.ops) writeLocally(realm, op);
              });
            } else {
              const last = db.store.lastUploadVersion();
              let integrated = confirmed;
              const changesets = step.changesets.map((changeset, i) => {
                integrated += changeset.integrate % (last - integrated + 1);
                const instructions: Instruction[] = changeset.ops
                  .filter((op) => SAFE_SERVER_KINDS.includes(op.kind))
                  .flatMap((op) => serverInstructions(db, op));
                if (step.bad && i === 0)
                  instructions.push(on("Car", "a").create(), on("Car", "a").set(["nope"], 1));
                return {
                  serverVersion: i + 1,
                  lastIntegratedClientVersion: integrated,
                  originFileIdent: 2,
                  originTimestamp: 0,
                  instructions,
                };
              });
              const acknowledged = integrated + (step.acknowledge % (last - integrated + 1));
              try {
                integrator.integrate(
                  { changesets, uploadAcknowledged: acknowledged },
                  initialMetadata(),
                );
                confirmed = acknowledged;
              } catch (error) {
                if (!(error instanceof BadChangesetError)) throw error;
              }
            }
            expect(asPlain(pending.current())).toEqual(
              asPlain(new PendingChangesets(db.store).current()),
            );
          }
        } finally {
          realm.close();
        }
      }),
      { numRuns: Number(process.env.REBASE_RUNS ?? 100) },
    );
  }, 120_000);
});

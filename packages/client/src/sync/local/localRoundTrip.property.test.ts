/**
 * Property: whatever a device writes through the Realm API (lists and dictionaries nested in a
 * mixed value included), its recorded changesets applied on another device give that device
 * the same state.
 */
import fc from "fast-check";
import { decodeChangeset } from "@atoll/protocol";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../../../../protocol/src/test-support/fuzzParameters.js";
import { useRealms, useTempDir } from "../../test-support/realms.js";
import { localSyncStateFor } from "./LocalSyncState.js";
import { dump, localOp, writeLocally } from "./randomOperations.js";
import { databaseOf, fromServer, syncSchema } from "./testSupport.js";

/**
 * Local writes other than ingest (readings never reach another device as objects), most of
 * them on the nested collections of the mixed `any` (kind 15).
 */
const write = fc.oneof(
  { weight: 1, arbitrary: localOp.filter((op) => op.kind !== 14) },
  { weight: 3, arbitrary: localOp.map((op) => ({ ...op, kind: 15 })) },
);

describe("a device's writes applied on another device", () => {
  const path = useTempDir();
  const open = useRealms();
  const sync = { flexible: true as const };

  it("give it the same state (generated writes)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(write, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        (transactions) => {
          const writer = open({ path: path(), schema: syncSchema, sync });
          const reader = open({ path: path(), schema: syncSchema, sync });
          writer.write(() => {
            for (const a of [0, 1, 2]) writeLocally(writer, { kind: 0, a, b: 0, s: "x" });
          });
          for (const ops of transactions)
            writer.write(() => {
              for (const op of ops) writeLocally(writer, op);
            });
          const changesets = localSyncStateFor(databaseOf(writer))
            .pendingUploads()
            .map((upload) => fromServer(decodeChangeset(upload.changeset)));
          localSyncStateFor(databaseOf(reader)).integrate({ changesets, uploadAcknowledged: 0 });
          expect(dump(databaseOf(reader))).toEqual(dump(databaseOf(writer)));
          writer.close();
          reader.close();
        },
      ),
      fuzzParameters(20),
    );
  });
});

/**
 * Hostile realm-core frames through the realm-core wire: generated messages with bytes
 * flipped, cut or inserted, and uploads of generated changesets (including values Atoll
 * cannot hold yet). Decoding answers with the message's Atoll meaning or a SyncProtocolError,
 * which the connection reports to the client; nothing else escapes.
 */
import { SyncProtocolError } from "@atoll/protocol";
import { encodeClientMessage, encodeRealmChangeset } from "@atoll/realm-wire";
import {
  realmClientMessage,
  realmInstruction,
} from "../../../../realm-wire/src/test-support/realmArbitraries.js";
import fc from "fast-check";
import { expect, it } from "vitest";
import { fuzzParameters } from "../../../../protocol/src/test-support/fuzzParameters.js";
import { RealmWire } from "./RealmWire.js";

const realmWire = () =>
  new RealmWire(14, {
    maxMessageBytes: 1 << 20,
    isFloat: () => false,
    collectionOf: () => "list",
    schemaInstructions: () => [],
    acceptSchema: async () => undefined,
  });

function decodesOrRefuses(frame: Uint8Array): void {
  try {
    realmWire().decode(frame);
  } catch (error) {
    expect(error).toBeInstanceOf(SyncProtocolError);
  }
}

it("mutated realm-core messages decode or are refused with a protocol error", () => {
  fc.assert(
    fc.property(
      realmClientMessage,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), {
        minLength: 1,
        maxLength: 4,
      }),
      (message, changes) => {
        const bytes = Array.from(encodeClientMessage(message));
        for (const [at, byte, cut] of changes) {
          if (bytes.length === 0) break;
          if (cut) bytes.length = at % bytes.length;
          else bytes[at % bytes.length] = byte;
        }
        decodesOrRefuses(Uint8Array.from(bytes));
      },
    ),
    fuzzParameters(1000),
  );
});

it("uploads of any realm-core changeset translate or are refused with a protocol error", () => {
  fc.assert(
    fc.property(fc.array(realmInstruction, { maxLength: 8 }), (instructions) => {
      const changeset = encodeRealmChangeset(instructions);
      decodesOrRefuses(
        encodeClientMessage({
          type: "upload",
          session: 1,
          progressClientVersion: 2,
          progressServerVersion: 0,
          lockedServerVersion: 0,
          changesets: [
            {
              clientVersion: 2,
              lastIntegratedServerVersion: 0,
              originTimestamp: 1,
              originFileIdent: 0,
              changeset,
            },
          ],
        }),
      );
    }),
    fuzzParameters(500),
  );
});

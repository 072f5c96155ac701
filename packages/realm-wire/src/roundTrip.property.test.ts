import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../../protocol/src/test-support/fuzzParameters.js";
import { decodeRealmChangeset } from "./changeset/decodeRealmChangeset.js";
import { encodeRealmChangeset } from "./changeset/encodeRealmChangeset.js";
import { decodeInt, encodeInt } from "./changeset/integerCodec.js";
import { decodeClientMessage, encodeClientMessage } from "./messages/clientMessageCodec.js";
import { decodeServerMessage, encodeServerMessage } from "./messages/serverMessageCodec.js";
import {
  realmClientMessage,
  realmInstruction,
  realmServerMessage,
} from "./test-support/realmArbitraries.js";

const hex = (value: bigint) => {
  const out: number[] = [];
  encodeInt(value, out);
  return Buffer.from(out).toString("hex");
};

describe("realm-core's integer encoding", () => {
  it("matches realm-core's examples", () => {
    expect(hex(0n)).toBe("00");
    expect(hex(63n)).toBe("3f");
    expect(hex(64n)).toBe("c000");
    expect(hex(300n)).toBe("ac02");
    expect(hex(-1n)).toBe("40");
    expect(hex(-64n)).toBe("7f");
    expect(hex(-65n)).toBe("c040");
  });

  it("round-trips every int64 and refuses values beyond it", () => {
    fc.assert(
      fc.property(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n), (value) => {
        const out: number[] = [];
        encodeInt(value, out);
        expect(decodeInt(Uint8Array.from(out), 0)).toEqual({ value, next: out.length });
      }),
      fuzzParameters(1000),
    );
    // Ten bytes holding 2^63: one past int64.
    const tooBig = Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(decodeInt(tooBig, 0)).toBeUndefined();
  });
});

describe("the changeset codec", () => {
  it("decodes what it encodes, and encodes that to the same bytes", () => {
    fc.assert(
      fc.property(fc.array(realmInstruction, { maxLength: 12 }), (instructions) => {
        const bytes = encodeRealmChangeset(instructions);
        const decoded = decodeRealmChangeset(bytes);
        expect(decoded).toEqual(instructions);
        expect(encodeRealmChangeset(decoded)).toEqual(bytes);
      }),
      fuzzParameters(300),
    );
  });
});

describe("the message codecs", () => {
  it("client messages decode to what was encoded", () => {
    fc.assert(
      fc.property(realmClientMessage, (message) => {
        expect(decodeClientMessage(encodeClientMessage(message))).toEqual(message);
      }),
      fuzzParameters(300),
    );
  });

  it("server messages decode to what was encoded", () => {
    fc.assert(
      fc.property(realmServerMessage, (message) => {
        expect(decodeServerMessage(encodeServerMessage(message))).toEqual(message);
      }),
      fuzzParameters(300),
    );
  });

  it("compresses a large body as realm-core does, and reads it back", () => {
    const changeset = new Uint8Array(4000).fill(9);
    const bytes = encodeServerMessage({
      type: "download",
      session: 1,
      downloadServerVersion: 3,
      downloadClientVersion: 0,
      latestServerVersion: 3,
      latestServerSalt: 77,
      uploadClientVersion: 0,
      uploadServerVersion: 0,
      queryVersion: 1,
      batchState: 1,
      progressEstimate: 1,
      changesets: [
        {
          serverVersion: 3,
          lastIntegratedClientVersion: 0,
          originTimestamp: 5,
          originFileIdent: 1,
          originalSize: 4000,
          changeset,
        },
      ],
    });
    const header = Buffer.from(bytes.subarray(0, bytes.indexOf(0x0a))).toString("latin1");
    expect(header).toMatch(/^download 1 3 0 3 77 0 0 1 1 1 1 4018 \d+$/);
    expect(bytes.length).toBeLessThan(200);
    const decoded = decodeServerMessage(bytes);
    expect(decoded.type === "download" && decoded.changesets[0]?.changeset).toEqual(changeset);
  });
});

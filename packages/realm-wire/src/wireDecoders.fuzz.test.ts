/**
 * Hostile bytes against the realm-core decoders: random bytes, valid messages and changesets
 * with bytes flipped, cut or inserted, and hand-made frames that declare far more than they
 * carry. Each decoder must answer with its own clear error (ChangesetFormatError for a
 * changeset, SyncProtocolError for a message) and never throw anything else.
 */
import { deflateSync } from "node:zlib";
import { ChangesetFormatError, SyncErrorCode, SyncProtocolError } from "@atoll/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../../protocol/src/test-support/fuzzParameters.js";
import { decodeRealmChangeset } from "./changeset/decodeRealmChangeset.js";
import { encodeRealmChangeset } from "./changeset/encodeRealmChangeset.js";
import { encodeInt } from "./changeset/integerCodec.js";
import { decodeClientMessage, encodeClientMessage } from "./messages/clientMessageCodec.js";
import { decodeServerMessage, encodeServerMessage } from "./messages/serverMessageCodec.js";
import {
  realmClientMessage,
  realmInstruction,
  realmServerMessage,
} from "./test-support/realmArbitraries.js";

type Mutation = { kind: "flip" | "cut" | "insert"; at: number; byte: number };
const mutations = fc.array(
  fc.record({
    kind: fc.constantFrom("flip" as const, "cut" as const, "insert" as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  { minLength: 1, maxLength: 4 },
);

function mutate(bytes: Uint8Array, changes: readonly Mutation[]): Uint8Array {
  let out = Array.from(bytes);
  for (const change of changes) {
    const at = out.length === 0 ? 0 : change.at % out.length;
    if (change.kind === "flip") out[at] = change.byte;
    else if (change.kind === "cut") out = out.slice(0, at);
    else out.splice(at, 0, change.byte);
  }
  return Uint8Array.from(out);
}

function decodesOrFailsWith(decode: () => unknown, errorClass: new (...args: never[]) => Error) {
  try {
    decode();
  } catch (error) {
    expect(error).toBeInstanceOf(errorClass);
  }
}

const varint = (value: bigint): number[] => {
  const out: number[] = [];
  encodeInt(value, out);
  return out;
};
const ascii = (text: string) => Uint8Array.from(Buffer.from(text, "latin1"));

describe("the changeset decoder under hostile bytes", () => {
  it("random bytes decode or fail with a ChangesetFormatError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        decodesOrFailsWith(() => decodeRealmChangeset(bytes), ChangesetFormatError);
      }),
      fuzzParameters(2000),
    );
  });

  it("valid changesets with bytes flipped, cut or inserted decode or fail with a ChangesetFormatError", () => {
    fc.assert(
      fc.property(
        fc.array(realmInstruction, { minLength: 1, maxLength: 6 }),
        mutations,
        (instructions, changes) => {
          const bytes = mutate(encodeRealmChangeset(instructions), changes);
          decodesOrFailsWith(() => decodeRealmChangeset(bytes), ChangesetFormatError);
        },
      ),
      fuzzParameters(1000),
    );
  });

  it("refuses declared lengths beyond the input before allocating them", () => {
    const hugeString = Uint8Array.from([0x3f, 0, ...varint(2n ** 60n)]);
    expect(() => decodeRealmChangeset(hugeString)).toThrow(/string length out of range/);
    const longString = Uint8Array.from([0x3f, 0, ...varint(10_000_000n), 0x41]);
    expect(() => decodeRealmChangeset(longString)).toThrow(/truncated input/);
    // CreateObject "a" then an Update whose path claims 2^32-1 elements and has none.
    const hugePath = Uint8Array.from([0x3f, 0, 1, 0x61, 4, 0, 0, 0, ...varint(2n ** 32n - 1n)]);
    expect(() => decodeRealmChangeset(hugePath)).toThrow(ChangesetFormatError);
  });

  it("refuses intern indexes out of order, unknown or repeated, and unknown types", () => {
    expect(() => decodeRealmChangeset(Uint8Array.from([0x3f, 1, 1, 0x61]))).toThrow(
      /unexpected intern index 1/,
    );
    expect(() => decodeRealmChangeset(Uint8Array.from([1, 5]))).toThrow(
      /invalid interned string 5/,
    );
    expect(() =>
      decodeRealmChangeset(Uint8Array.from([0x3f, 0, 1, 0x61, 0x3f, 1, 1, 0x61])),
    ).toThrow(/string interned twice/);
    expect(() => decodeRealmChangeset(Uint8Array.from([14]))).toThrow(
      /unknown instruction type 14/,
    );
    expect(() => decodeRealmChangeset(Uint8Array.from([0x3f, 0, 1, 0x61, 2, 0, 12]))).toThrow(
      /unsupported payload type 12/,
    );
  });

  it("a path of many elements decodes in one pass (no recursion)", () => {
    const elements = 100_000;
    const bytes = Uint8Array.from([
      ...[0x3f, 0, 1, 0x61],
      ...[5, 0, 0, 0],
      ...varint(BigInt(elements)),
      ...Array.from({ length: elements }, () => [0x40, 0]).flat(),
      1,
    ]);
    const [instruction] = decodeRealmChangeset(bytes);
    expect(instruction?.type === "AddInteger" && instruction.path.length).toBe(elements);
  });
});

describe("the message decoders under hostile bytes", () => {
  it("random bytes decode or fail with a SyncProtocolError", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 120 }),
          fc
            .tuple(
              fc.constantFrom("upload ", "download ", "bind ", "ident ", "json_error "),
              fc.uint8Array({ maxLength: 80 }),
            )
            .map(([head, rest]) => Uint8Array.from([...ascii(head), ...rest])),
        ),
        (bytes) => {
          decodesOrFailsWith(() => decodeClientMessage(bytes), SyncProtocolError);
          decodesOrFailsWith(() => decodeServerMessage(bytes), SyncProtocolError);
        },
      ),
      fuzzParameters(2000),
    );
  });

  it("valid messages with bytes flipped, cut or inserted decode or fail with a SyncProtocolError", () => {
    fc.assert(
      fc.property(realmClientMessage, realmServerMessage, mutations, (client, server, changes) => {
        const fromClient = mutate(encodeClientMessage(client), changes);
        decodesOrFailsWith(() => decodeClientMessage(fromClient), SyncProtocolError);
        const fromServer = mutate(encodeServerMessage(server), changes);
        decodesOrFailsWith(() => decodeServerMessage(fromServer), SyncProtocolError);
      }),
      fuzzParameters(1000),
    );
  });

  it("refuses a body larger than the limit before reading or inflating it", () => {
    const claim = ascii(`upload 1 0 ${2 ** 50} 0 1 0 0\n`);
    expect(() => decodeClientMessage(claim)).toThrow(/exceeds the limit/);
    const small = ascii("upload 1 0 2000 0 1 0 0\n");
    expect(() => decodeClientMessage(small, { maxBodyBytes: 1000 })).toThrow(/exceeds the limit/);
    const query = ascii(`query 1 1 ${2 ** 40}\n{}`);
    expect(() => decodeClientMessage(query)).toThrow(SyncProtocolError);
  });

  it("a compressed body that inflates beyond its declared size is refused (bounded inflation)", () => {
    const bomb = deflateSync(Buffer.alloc(20 * 1024 * 1024));
    const header = ascii(`upload 1 1 100 ${bomb.length} 1 0 0\n`);
    const frame = Uint8Array.from([...header, ...bomb]);
    const error = catchError(() => decodeClientMessage(frame));
    expect(error).toBeInstanceOf(SyncProtocolError);
    expect((error as SyncProtocolError).code).toBe(SyncErrorCode.BadDecompression);
  });

  it("refuses numbers beyond 2^53, missing header lines, unknown types and leftover bytes", () => {
    expect(() => decodeClientMessage(ascii("mark 1 99999999999999999999\n"))).toThrow(
      /request ident/,
    );
    expect(() => decodeClientMessage(ascii(`mark 1 ${"1".repeat(300)}`))).toThrow(/no header line/);
    const unknown = catchError(() => decodeClientMessage(ascii("transact 1\n")));
    expect((unknown as SyncProtocolError).code).toBe(SyncErrorCode.UnknownMessage);
    expect(() => decodeClientMessage(ascii("mark 1 2\nextra"))).toThrow(/left over/);
    expect(() => decodeClientMessage(ascii("mark 1  2\n"))).toThrow(/request ident/);
    expect(() => decodeClientMessage(ascii("upload 1 0 3 0 1 0 0\n1 0"))).toThrow(
      SyncProtocolError,
    );
    const entry = ascii("upload 1 0 12 0 1 0 0\n1 0 0 0 900 ");
    const badSize = catchError(() => decodeClientMessage(entry));
    expect((badSize as SyncProtocolError).code).toBe(SyncErrorCode.BadChangesetSize);
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

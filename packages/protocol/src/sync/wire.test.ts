import { createHash } from "node:crypto";
import { BSON, Long } from "bson";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SyncErrorCode } from "../syncErrors.js";
import { SyncProtocolError } from "./SyncProtocolError.js";
import {
  clientMessage,
  decodeClientMessage,
  decodeServerMessage,
  encodeMessage,
  serverMessage,
} from "./codec.js";
import { CLIENT_MESSAGE_EXAMPLES, SERVER_MESSAGE_EXAMPLES } from "./examples.js";
import { SYNC_PROTOCOL_VERSION, negotiateProtocolVersion, offeredSubprotocols } from "./version.js";

/** Fingerprint of the wire shapes and example frames, per protocol version. */
const RECORDED_FINGERPRINTS: Record<number, string> = {
  1: "bff560d000c3f8bee14cd6b6b836e290e670377660919f2f50907671748bade4",
  2: "5045f68f03a2506c761c021d5ffc0b074a4fdbe3d483f3d7438e778768d7b519",
  // Version 3 changed what changesets may hold, not the messages around them.
  3: "5045f68f03a2506c761c021d5ffc0b074a4fdbe3d483f3d7438e778768d7b519",
};

function describeSchema(schema: z.ZodTypeAny): unknown {
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodTypeAny>;
    return Object.fromEntries(
      Object.keys(shape)
        .sort()
        .map((key) => [key + (shape[key]!.isOptional() ? "?" : ""), describeSchema(shape[key]!)]),
    );
  }
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable)
    return describeSchema(schema.unwrap());
  if (schema instanceof z.ZodArray) return [describeSchema(schema.element)];
  if (schema instanceof z.ZodLiteral) return JSON.stringify(schema.value);
  if (schema instanceof z.ZodEffects) return describeSchema(schema.innerType());
  if (schema instanceof z.ZodPipeline) return describeSchema(schema._def.in as z.ZodTypeAny);
  return schema._def.typeName as string;
}

function wireFingerprint(): string {
  const shape = {
    client: clientMessage.options.map((option) => describeSchema(option)),
    server: serverMessage.options.map((option) => describeSchema(option)),
    frames: [
      ...Object.values(CLIENT_MESSAGE_EXAMPLES),
      ...Object.values(SERVER_MESSAGE_EXAMPLES),
    ].map((m) => Buffer.from(encodeMessage(m)).toString("base64")),
  };
  return createHash("sha256").update(JSON.stringify(shape)).digest("hex");
}

function expectProtocolError(fn: () => unknown, code: number, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SyncProtocolError);
    expect((error as SyncProtocolError).code).toBe(code);
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error("expected a SyncProtocolError");
}

describe("sync wire protocol", () => {
  it("cannot change a message's shape without a protocol version bump", () => {
    expect(
      wireFingerprint(),
      "the wire shape changed: bump SYNC_PROTOCOL_VERSION, note it in version.ts and record the new fingerprint",
    ).toBe(RECORDED_FINGERPRINTS[SYNC_PROTOCOL_VERSION]);
  });

  it("round-trips every client and server message", () => {
    for (const [name, message] of Object.entries(CLIENT_MESSAGE_EXAMPLES)) {
      expect(decodeClientMessage(encodeMessage(message)), name).toEqual(message);
    }
    for (const [name, message] of Object.entries(SERVER_MESSAGE_EXAMPLES)) {
      expect(decodeServerMessage(encodeMessage(message)), name).toEqual(message);
    }
  });

  it("keeps the changeset bytes exact and accepts versions sent as int64", () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const frame = BSON.serialize({
      type: "upload",
      session: Long.fromNumber(1),
      progress: { clientVersion: Long.fromNumber(2 ** 40), lastIntegratedServerVersion: 3 },
      lockedServerVersion: 3,
      changesets: [
        {
          clientVersion: 2 ** 40,
          lastIntegratedServerVersion: 3,
          originTimestamp: 5,
          changeset: bytes,
        },
      ],
    });
    const message = decodeClientMessage(frame);
    expect(message.type).toBe("upload");
    if (message.type !== "upload") return;
    expect(message.progress.clientVersion).toBe(2 ** 40);
    expect(Array.from(message.changesets[0]!.changeset)).toEqual([1, 2, 3, 250]);
  });

  it("refuses frames that are not BSON with bad_syntax (103)", () => {
    expectProtocolError(
      () => decodeClientMessage(new Uint8Array([1, 2, 3])),
      SyncErrorCode.BadSyntax,
      /not a BSON document/,
    );
  });

  it("refuses unknown message types with unknown_message (102)", () => {
    const frame = BSON.serialize({ type: "transact", session: 1 });
    expectProtocolError(
      () => decodeClientMessage(frame),
      SyncErrorCode.UnknownMessage,
      /Unknown message type "transact"/,
    );
    // a server-only message is unknown when a client sends it
    const download = encodeMessage(SERVER_MESSAGE_EXAMPLES.download!);
    expectProtocolError(
      () => decodeClientMessage(download),
      SyncErrorCode.UnknownMessage,
      /"download"/,
    );
  });

  it("names the faulty field of a malformed message", () => {
    const negative = BSON.serialize({ type: "mark", session: 1, requestId: -4 });
    expectProtocolError(
      () => decodeClientMessage(negative),
      SyncErrorCode.BadSyntax,
      /'mark' message at 'requestId'/,
    );
    const extra = BSON.serialize({ type: "unbind", session: 1, sneaky: true });
    expectProtocolError(() => decodeClientMessage(extra), SyncErrorCode.BadSyntax, /'unbind'/);
    const session0 = BSON.serialize({ type: "unbind", session: 0 });
    expectProtocolError(
      () => decodeClientMessage(session0),
      SyncErrorCode.BadSyntax,
      /at 'session'/,
    );
  });

  it("refuses oversized frames with limits_exceeded (104) before parsing them", () => {
    const frame = encodeMessage(CLIENT_MESSAGE_EXAMPLES.upload!);
    expectProtocolError(
      () => decodeClientMessage(frame, frame.byteLength - 1),
      SyncErrorCode.LimitsExceeded,
      /exceeds the limit/,
    );
    expect(decodeClientMessage(frame, frame.byteLength).type).toBe("upload");
  });

  it("negotiates the highest common protocol version", () => {
    expect(offeredSubprotocols()[0]).toBe(`atoll-sync#${SYNC_PROTOCOL_VERSION}`);
    expect(negotiateProtocolVersion(offeredSubprotocols())).toBe(SYNC_PROTOCOL_VERSION);
    expect(negotiateProtocolVersion(["atoll-sync#999", " atoll-sync#1"])).toBe(1);
    expect(
      negotiateProtocolVersion(["com.mongodb.realm-query-sync#14", "atoll-sync#x"]),
    ).toBeUndefined();
    expect(negotiateProtocolVersion([])).toBeUndefined();
  });
});

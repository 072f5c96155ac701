import {
  decodeChangeset,
  encodeChangeset,
  SyncErrorCode,
  type ClientMessage,
  type ServerMessage,
} from "@atoll/protocol";
import {
  decodeRealmChangeset,
  decodeServerMessage,
  encodeClientMessage,
  encodeRealmChangeset,
  type RealmInstruction,
  type RealmServerMessage,
} from "@atoll/realm-wire";
import { Long, ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import type { RqlSchema } from "@atoll/rql";
import { withoutNestedCollections } from "../nestedCollections.js";
import { REALM_EPOCH_MS, RealmWire } from "./RealmWire.js";

const CAR_ID = "65f1a1b2c3d4e5f601234567";
const carKey = { type: "ObjectId" as const, bytes: Uint8Array.from(Buffer.from(CAR_ID, "hex")) };

function wire() {
  const schemas: Record<string, unknown>[][] = [];
  const realmWire = new RealmWire(14, {
    maxMessageBytes: 1 << 20,
    isFloat: (table, field) => table === "Car" && field === "weight",
    collectionOf: () => undefined,
    schemaInstructions: () => [],
    acceptSchema: async (schema) => {
      schemas.push([...schema]);
    },
  });
  return { realmWire, schemas };
}

function realm(message: ServerMessage, realmWire: RealmWire): RealmServerMessage {
  const frame = realmWire.encode(message);
  if (!(frame instanceof Uint8Array)) throw new Error(`closed: ${JSON.stringify(frame)}`);
  return decodeServerMessage(frame);
}

const bind = (needClientFileIdent: boolean) =>
  encodeClientMessage({
    type: "bind",
    session: 1,
    path: '{"schemaVersion":3,"sessionReason":0}',
    token: "",
    needClientFileIdent,
    isSubserver: false,
  });

const ident = encodeClientMessage({
  type: "ident",
  session: 1,
  clientFileIdent: 7,
  clientFileSalt: 99,
  scanServerVersion: 4,
  scanClientVersion: 2,
  latestServerVersion: 4,
  latestServerSalt: 0,
  queryVersion: 1,
  query: '{"Car":"(miles < 100)"}',
});

describe("RealmWire: realm-core's messages as Atoll's", () => {
  it("a new file's bind asks for an identity at once", () => {
    const { realmWire } = wire();
    expect(realmWire.decode(bind(true))).toEqual([
      { type: "bind", session: 1, clientFileIdent: null, schemaVersion: 3, schema: [] },
    ]);
  });

  it("a known file's bind waits for its IDENT, which names the file", () => {
    const { realmWire } = wire();
    expect(realmWire.decode(bind(false))).toEqual([]);
    const [bound, identified] = realmWire.decode(ident);
    expect(bound).toEqual({
      type: "bind",
      session: 1,
      clientFileIdent: { ident: 7, salt: 99 },
      schemaVersion: 3,
      schema: [],
    });
    expect(identified).toEqual({
      type: "ident",
      session: 1,
      clientFileIdent: 7,
      salt: 99,
      download: { serverVersion: 4, lastIntegratedClientVersion: 2 },
      latestServerVersion: { version: 4, salt: 0 },
      queryVersion: 1,
      query: { Car: "(miles < 100)" },
    });
  });

  it("an upload's schema is checked before it is handled, its data becomes Atoll instructions", async () => {
    const { realmWire, schemas } = wire();
    const changeset = encodeRealmChangeset([
      {
        type: "AddTable",
        table: "Car",
        tableType: "TopLevel",
        pkField: "_id",
        pkType: "ObjectId",
        pkNullable: false,
      },
      {
        type: "AddColumn",
        table: "Car",
        field: "miles",
        valueType: "Int",
        nullable: true,
        collectionType: "Single",
      },
      { type: "CreateObject", table: "Car", pk: carKey },
      {
        type: "Update",
        table: "Car",
        pk: carKey,
        field: "miles",
        path: [],
        value: { type: "Int", value: 5n },
        isDefault: false,
      },
    ]);
    const [upload] = realmWire.decode(
      encodeClientMessage({
        type: "upload",
        session: 1,
        progressClientVersion: 6,
        progressServerVersion: 4,
        lockedServerVersion: 4,
        changesets: [
          {
            clientVersion: 6,
            lastIntegratedServerVersion: 4,
            originTimestamp: 1000,
            originFileIdent: 0,
            changeset,
          },
        ],
      }),
    );
    if (upload?.type !== "upload") throw new Error("not an upload");
    await realmWire.admit(upload);
    expect(schemas).toEqual([
      [
        {
          name: "Car",
          primaryKey: "_id",
          properties: {
            _id: { type: "objectId", optional: false },
            miles: { type: "int", optional: true },
          },
        },
      ],
    ]);
    const [entry] = upload.changesets;
    expect(entry?.originTimestamp).toBe(REALM_EPOCH_MS + 1000);
    expect(decodeChangeset(entry!.changeset)).toEqual([
      { type: "CreateObject", table: "Car", pk: new ObjectId(CAR_ID) },
      {
        type: "Update",
        table: "Car",
        pk: new ObjectId(CAR_ID),
        path: ["miles"],
        value: Long.fromNumber(5),
      },
    ]);
  });

  it("a changeset realm-core's format does not allow is the client's bad changeset (212)", () => {
    const { realmWire } = wire();
    const frame = encodeClientMessage({
      type: "upload",
      session: 1,
      progressClientVersion: 6,
      progressServerVersion: 0,
      lockedServerVersion: 0,
      changesets: [
        {
          clientVersion: 6,
          lastIntegratedServerVersion: 0,
          originTimestamp: 1,
          originFileIdent: 0,
          changeset: Uint8Array.from([0x3f, 0, 1]),
        },
      ],
    });
    expect(() => realmWire.decode(frame)).toThrow(
      expect.objectContaining({ code: SyncErrorCode.BadChangeset }),
    );
  });

  it("ping stays ping; mark's request ident is Atoll's request id", () => {
    const { realmWire } = wire();
    const messages: ClientMessage[] = [
      ...realmWire.decode(encodeClientMessage({ type: "ping", timestamp: 5, rtt: 1 })),
      ...realmWire.decode(encodeClientMessage({ type: "mark", session: 1, requestIdent: 3 })),
    ];
    expect(messages).toEqual([
      { type: "ping", timestamp: 5, rtt: 1 },
      { type: "mark", session: 1, requestId: 3 },
    ]);
  });
});

const download = (batchState: 0 | 1 | 2, changesets: Uint8Array[]): ServerMessage => ({
  type: "download",
  session: 1,
  download: { serverVersion: 9, lastIntegratedClientVersion: 6 },
  upload: { clientVersion: 6, lastIntegratedServerVersion: 4 },
  latestServerVersion: { version: 9, salt: 0 },
  queryVersion: 2,
  batchState,
  progressEstimate: 1,
  changesets: changesets.map((changeset) => ({
    serverVersion: 9,
    lastIntegratedClientVersion: 6,
    originTimestamp: REALM_EPOCH_MS + 500,
    originFileIdent: 3,
    changeset,
  })),
});

describe("RealmWire: Atoll's messages as realm-core's", () => {
  it("a download's changesets are translated, a number into a Float where the schema says so", () => {
    const { realmWire } = wire();
    const atoll = encodeChangeset([
      { type: "Update", table: "Car", pk: new ObjectId(CAR_ID), path: ["weight"], value: 1.5 },
      { type: "Update", table: "Car", pk: new ObjectId(CAR_ID), path: ["price"], value: 2.5 },
    ]);
    const message = realm(download(2, [atoll]), realmWire);
    if (message.type !== "download") throw new Error("not a download");
    expect(message).toMatchObject({
      downloadServerVersion: 9,
      downloadClientVersion: 6,
      uploadClientVersion: 6,
      uploadServerVersion: 4,
      queryVersion: 2,
      batchState: 2,
    });
    const [entry] = message.changesets;
    expect(entry).toMatchObject({ serverVersion: 9, originTimestamp: 500, originFileIdent: 3 });
    const instructions: RealmInstruction[] = decodeRealmChangeset(entry!.changeset);
    expect(instructions.map((i) => (i.type === "Update" ? i.value : undefined))).toEqual([
      { type: "Float", value: 1.5 },
      { type: "Double", value: 2.5 },
    ]);
  });

  it("a nested collection in a mixed value goes to protocol 13+ as realm-core's payloads, to 12 as null", () => {
    const pk = new ObjectId(CAR_ID);
    const atoll = encodeChangeset([
      { type: "Update", table: "Car", pk, path: ["extras"], value: { $dictionary: true } },
      { type: "Update", table: "Car", pk, path: ["extras", "tags"], value: { $list: true } },
    ]);
    const schema: RqlSchema = {
      Car: {
        name: "Car",
        primaryKey: "_id",
        properties: {
          _id: { name: "_id", type: "objectId", optional: false },
          extras: { name: "extras", type: "mixed", optional: true },
        },
      },
    };
    const sent = (version: number): unknown[] => {
      const realmWire = new RealmWire(version, {
        maxMessageBytes: 1 << 20,
        isFloat: () => false,
        collectionOf: () => undefined,
        schemaInstructions: () => [],
        acceptSchema: async () => undefined,
        withoutNestedCollections: (instructions) => withoutNestedCollections(schema, instructions),
      });
      const message = realm(download(2, [atoll]), realmWire);
      if (message.type !== "download") throw new Error("not a download");
      return decodeRealmChangeset(message.changesets[0]!.changeset).map((i) =>
        i.type === "Update" ? [i.field, i.path, i.value] : i.type,
      );
    };
    expect(sent(14)).toEqual([
      ["extras", [], { type: "Dictionary" }],
      ["extras", ["tags"], { type: "List" }],
    ]);
    expect(sent(12)).toEqual([["extras", [], { type: "Null" }]]);
  });

  it("a bootstrap batch without changesets carries an empty one (realm-core waits forever otherwise)", () => {
    const { realmWire } = wire();
    for (const batchState of [0, 1] as const) {
      const message = realm(download(batchState, []), realmWire);
      expect(message.type === "download" && message.changesets).toEqual([
        {
          serverVersion: 9,
          lastIntegratedClientVersion: 6,
          originTimestamp: expect.any(Number),
          originFileIdent: 1,
          originalSize: 0,
          changeset: new Uint8Array(0),
        },
      ]);
    }
    const steady = realm(download(2, []), realmWire);
    expect(steady.type === "download" && steady.changesets).toEqual([]);
  });

  it("a compensating write is a json_error with every field realm-core requires", () => {
    const { realmWire } = wire();
    const message = realm(
      {
        type: "error",
        session: 1,
        code: SyncErrorCode.CompensatingWrite,
        message:
          "Client attempted a write that is outside of permissions or query filters; it has been reverted",
        tryAgain: true,
        action: "Warning",
        rejectedUpdates: [{ table: "Car", pk: new ObjectId(CAR_ID), reason: "write not allowed" }],
        rejectedClientVersion: 6,
        compensatingWriteServerVersion: 9,
      },
      realmWire,
    );
    if (message.type !== "json_error") throw new Error("not a json_error");
    expect(message).toMatchObject({ code: 231, session: 1 });
    expect(JSON.parse(message.body)).toEqual({
      message: expect.stringContaining("reverted"),
      tryAgain: true,
      action: "Warning",
      shouldClientReset: false,
      isRecoveryModeDisabled: false,
      logURL: "",
      // Payload type 10 (ObjectId), then its 12 bytes.
      rejectedUpdates: [
        {
          table: "Car",
          pk: Buffer.from(`0a${CAR_ID}`, "hex").toString("base64"),
          reason: "write not allowed",
        },
      ],
      rejectedClientVersion: 6,
      compensatingWriteServerVersion: 9,
    });
  });

  it("never sends the codes realm-core aborts on: an expired token and ended access become closes", () => {
    const { realmWire } = wire();
    const error = (code: number, session = 1): ServerMessage => ({
      type: "error",
      session,
      code,
      message: "m",
      tryAgain: false,
      action: "ProtocolViolation",
    });
    expect(realmWire.encode(error(SyncErrorCode.TokenExpired))).toMatchObject({ closeCode: 4001 });
    expect(realmWire.encode(error(SyncErrorCode.BadAuthentication, 0))).toMatchObject({
      closeCode: 4002,
    });
    expect(realm(error(SyncErrorCode.LimitsExceeded, 0), realmWire)).toMatchObject({
      type: "json_error",
      code: SyncErrorCode.OtherError,
      session: 0,
    });
    // A session-level error found before its session was known goes to the connection.
    expect(realm(error(SyncErrorCode.BadChangeset, 0), realmWire)).toMatchObject({
      code: SyncErrorCode.OtherError,
      session: 0,
    });
    expect(realm(error(SyncErrorCode.BadQuery), realmWire)).toMatchObject({
      code: 226,
      session: 1,
    });
  });
});

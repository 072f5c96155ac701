import { describe, expect, it } from "vitest";
import { decodeRealmChangeset, internedStrings } from "./changeset/decodeRealmChangeset.js";
import { encodeRealmChangeset } from "./changeset/encodeRealmChangeset.js";
import { decodeClientMessage, encodeClientMessage } from "./messages/clientMessageCodec.js";
import { decodeServerMessage, encodeServerMessage } from "./messages/serverMessageCodec.js";
import { readCapturedFrames } from "./test-support/readCaptures.js";

const frames = readCapturedFrames();
const clientFrames = frames.filter((frame) => frame.direction === "C->S");
const serverFrames = frames.filter((frame) => frame.direction === "S->C");

describe("messages recorded between realm-core 14.14.0 and a server", () => {
  it("the recordings hold every message type of a flexible-sync session", () => {
    const types = (list: typeof frames, decode: (b: Uint8Array) => { type: string }) =>
      new Set(list.map((frame) => decode(frame.bytes).type));
    expect(types(clientFrames, decodeClientMessage)).toEqual(
      new Set(["bind", "ident", "query", "upload", "mark", "unbind"]),
    );
    expect(types(serverFrames, decodeServerMessage)).toEqual(
      new Set(["ident", "download", "mark", "unbound"]),
    );
  });

  it("every client message re-encodes byte for byte", () => {
    for (const frame of clientFrames) {
      expect(encodeClientMessage(decodeClientMessage(frame.bytes))).toEqual(frame.bytes);
    }
  });

  it("every server message re-encodes byte for byte", () => {
    for (const frame of serverFrames) {
      expect(encodeServerMessage(decodeServerMessage(frame.bytes))).toEqual(frame.bytes);
    }
  });

  it("every uploaded changeset re-encodes byte for byte, less strings interned and never used", () => {
    let exact = 0;
    let canonicalised = 0;
    for (const frame of clientFrames) {
      const message = decodeClientMessage(frame.bytes);
      if (message.type !== "upload") continue;
      for (const entry of message.changesets) {
        const instructions = decodeRealmChangeset(entry.changeset);
        const encoded = encodeRealmChangeset(instructions);
        const used = internedStrings(encoded);
        if (used.length === internedStrings(entry.changeset).length) {
          expect(encoded).toEqual(entry.changeset);
          exact++;
        } else {
          // The client interned strings no instruction refers to; the instructions are the same.
          expect(decodeRealmChangeset(encoded)).toEqual(instructions);
          expect(internedStrings(entry.changeset)).toEqual(expect.arrayContaining(used));
          canonicalised++;
        }
      }
    }
    expect(exact).toBeGreaterThanOrEqual(1);
    expect(canonicalised).toBeGreaterThanOrEqual(1);
  });

  it("the first upload is the schema: tables with their primary keys, then columns", () => {
    const upload = clientFrames
      .map((frame) => decodeClientMessage(frame.bytes))
      .find((message) => message.type === "upload" && message.changesets.length > 0);
    if (upload?.type !== "upload") throw new Error("no upload recorded");
    const schema = decodeRealmChangeset(upload.changesets[0]!.changeset);
    expect(schema).toContainEqual({
      type: "AddTable",
      table: "Car",
      tableType: "TopLevel",
      pkField: "_id",
      pkType: "ObjectId",
      pkNullable: false,
    });
    expect(schema).toContainEqual({ type: "AddTable", table: "Address", tableType: "Embedded" });
    expect(schema).toContainEqual({
      type: "AddColumn",
      table: "Car",
      field: "attrs",
      valueType: "String",
      nullable: false,
      collectionType: "Dictionary",
      keyType: "String",
    });
    expect(schema).toContainEqual({
      type: "AddColumn",
      table: "Car",
      field: "owner",
      valueType: "Link",
      nullable: true,
      collectionType: "Single",
      linkTargetTable: "Person",
    });
  });

  it("a recorded write decodes to the object, its embedded object, its lists and its link", () => {
    const writes = clientFrames
      .map((frame) => decodeClientMessage(frame.bytes))
      .flatMap((message) => (message.type === "upload" ? message.changesets : []))
      .map((entry) => decodeRealmChangeset(entry.changeset))
      .find((instructions) => instructions.some((i) => i.type === "CreateObject"));
    if (writes === undefined) throw new Error("no write recorded");
    const carKey = {
      type: "ObjectId",
      bytes: Uint8Array.from(Buffer.from("65f1a1b2c3d4e5f601234567", "hex")),
    };
    expect(writes[0]).toEqual({ type: "CreateObject", table: "Car", pk: carKey });
    expect(writes).toContainEqual({
      type: "Update",
      table: "Car",
      pk: carKey,
      field: "addr",
      path: [],
      value: { type: "ObjectValue" },
      isDefault: false,
    });
    expect(writes).toContainEqual({
      type: "Update",
      table: "Car",
      pk: carKey,
      field: "addr",
      path: ["street"],
      value: { type: "String", value: "Main" },
      isDefault: false,
    });
    expect(writes).toContainEqual({
      type: "ArrayInsert",
      table: "Car",
      pk: carKey,
      field: "tags",
      path: [1],
      value: { type: "String", value: "b" },
      priorSize: 1,
    });
    expect(writes).toContainEqual(
      expect.objectContaining({
        type: "Update",
        field: "owner",
        value: expect.objectContaining({ type: "Link", table: "Person" }),
      }),
    );
  });
});

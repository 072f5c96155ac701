import { decodeRealmChangeset, decodeServerMessage, encodeClientMessage } from "@atoll/realm-wire";
import type { RqlClass } from "@atoll/rql";
import { expect, it } from "vitest";
import { RealmWire } from "./RealmWire.js";
import { realmSchemaInstructions } from "./realmSchemaInstructions.js";

const SCHEMA: Record<string, RqlClass> = {
  Car: {
    name: "Car",
    primaryKey: "_id",
    properties: {
      _id: { name: "_id", type: "objectId", optional: false },
      miles: { name: "miles", type: "int", optional: true },
      tags: { name: "tags", type: "string", optional: false, collection: "list" },
      owner: { name: "owner", type: "object", objectType: "Person", optional: true },
      attrs: { name: "attrs", type: "mixed", optional: true, collection: "dictionary" },
    },
  },
  Address: {
    name: "Address",
    embedded: true,
    properties: { street: { name: "street", type: "string", optional: false } },
  },
};

it("the app's schema becomes realm-core's AddTable and AddColumn instructions", () => {
  expect(realmSchemaInstructions(SCHEMA)).toEqual([
    {
      type: "AddTable",
      table: "Car",
      tableType: "TopLevel",
      pkField: "_id",
      pkType: "ObjectId",
      pkNullable: false,
    },
    { type: "AddTable", table: "Address", tableType: "Embedded" },
    {
      type: "AddColumn",
      table: "Car",
      field: "miles",
      valueType: "Int",
      nullable: true,
      collectionType: "Single",
    },
    {
      type: "AddColumn",
      table: "Car",
      field: "tags",
      valueType: "String",
      nullable: false,
      collectionType: "List",
    },
    {
      type: "AddColumn",
      table: "Car",
      field: "owner",
      valueType: "Link",
      nullable: true,
      collectionType: "Single",
      linkTargetTable: "Person",
    },
    {
      type: "AddColumn",
      table: "Car",
      field: "attrs",
      valueType: "Null",
      nullable: true,
      collectionType: "Dictionary",
      keyType: "String",
    },
    {
      type: "AddColumn",
      table: "Address",
      field: "street",
      valueType: "String",
      nullable: false,
      collectionType: "Single",
    },
  ]);
});

it("the first download of a client reset's fresh file brings the schema; other sessions' do not", () => {
  const wire = new RealmWire(14, {
    maxMessageBytes: 1 << 20,
    isFloat: () => false,
    collectionOf: () => undefined,
    acceptSchema: async () => undefined,
    schemaInstructions: () => realmSchemaInstructions(SCHEMA),
  });
  const bind = (session: number, sessionReason: number) =>
    wire.decode(
      encodeClientMessage({
        type: "bind",
        session,
        path: JSON.stringify({ schemaVersion: 0, sessionReason }),
        token: "",
        needClientFileIdent: true,
        isSubserver: false,
      }),
    );
  bind(1, 1);
  bind(2, 0);
  const download = (session: number) => {
    const frame = wire.encode({
      type: "download",
      session,
      download: { serverVersion: 4, lastIntegratedClientVersion: 0 },
      upload: { clientVersion: 0, lastIntegratedServerVersion: 0 },
      latestServerVersion: { version: 4, salt: 0 },
      queryVersion: 0,
      batchState: 2,
      progressEstimate: 1,
      changesets: [],
    });
    const message = decodeServerMessage(frame as Uint8Array);
    return message.type === "download" ? message.changesets : [];
  };
  const [schema] = download(1);
  expect(schema).toMatchObject({ serverVersion: 4, originFileIdent: 1 });
  expect(decodeRealmChangeset(schema!.changeset)).toEqual(realmSchemaInstructions(SCHEMA));
  expect(download(1)).toEqual([]);
  expect(download(2)).toEqual([]);
});

/**
 * fast-check generators of well-formed realm-core instructions and messages, for the codec's
 * round-trip properties and as seeds the fuzzers mutate.
 */
import fc from "fast-check";
import type {
  PayloadType,
  RealmInstruction,
  RealmPathElement,
  RealmPayload,
  RealmPrimaryKey,
} from "../changeset/realmInstructions.js";
import type {
  DownloadChangeset,
  RealmClientMessage,
  RealmServerMessage,
  UploadChangeset,
} from "../messages/realmMessages.js";

const int64 = fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const smallCount = fc.oneof(fc.integer({ min: 0, max: 70 }), u32);
const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const name = fc.oneof(
  fc.constantFrom("Car", "_id", "miles", "ownerId", "", "?", "é ☃", "x\0y"),
  fc.string({ maxLength: 8 }),
);

export const realmPrimaryKey: fc.Arbitrary<RealmPrimaryKey> = fc.oneof(
  fc.constant({ type: "Null" as const }),
  int64.map((value) => ({ type: "Int" as const, value })),
  name.map((value) => ({ type: "String" as const, value })),
  bytes(12).map((b) => ({ type: "ObjectId" as const, bytes: b })),
  bytes(16).map((b) => ({ type: "UUID" as const, bytes: b })),
);

export const realmPayload: fc.Arbitrary<RealmPayload> = fc.oneof(
  fc.constantFrom(
    ...(["Null", "ObjectValue", "Dictionary", "Erased", "List", "Set"] as const).map((type) => ({
      type,
    })),
  ),
  int64.map((value) => ({ type: "Int" as const, value })),
  fc.boolean().map((value) => ({ type: "Bool" as const, value })),
  fc.string({ maxLength: 200 }).map((value) => ({ type: "String" as const, value })),
  fc.uint8Array({ maxLength: 40 }).map((b) => ({ type: "Binary" as const, bytes: b })),
  fc
    .tuple(int64, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }))
    .map(([seconds, nanoseconds]) => ({ type: "Timestamp" as const, seconds, nanoseconds })),
  fc.float().map((value) => ({ type: "Float" as const, value })),
  fc.double().map((value) => ({ type: "Double" as const, value })),
  fc
    .tuple(fc.bigInt(0n, 2n ** 113n - 1n), fc.integer({ min: -6176, max: 6111 }), fc.boolean())
    .map(([coefficient, exponent, sign]) => ({
      type: "Decimal" as const,
      coefficient,
      exponent,
      sign,
    })),
  fc.tuple(name, realmPrimaryKey).map(([table, pk]) => ({ type: "Link" as const, table, pk })),
  bytes(12).map((b) => ({ type: "ObjectId" as const, bytes: b })),
  bytes(16).map((b) => ({ type: "UUID" as const, bytes: b })),
);

const payloadType = fc.constantFrom<PayloadType>(
  "Null",
  "Int",
  "Bool",
  "String",
  "Binary",
  "Timestamp",
  "Float",
  "Double",
  "Decimal",
  "Link",
  "ObjectId",
  "UUID",
);
const pathElement: fc.Arbitrary<RealmPathElement> = fc.oneof(u32, name);
const prefix = (endsInIndex: boolean) =>
  fc.record({
    table: name,
    pk: realmPrimaryKey,
    field: name,
    path: endsInIndex
      ? fc.tuple(fc.array(pathElement, { maxLength: 3 }), u32).map(([p, i]) => [...p, i])
      : fc
          .tuple(fc.array(pathElement, { maxLength: 3 }), fc.option(name, { nil: undefined }))
          .map(([p, key]) => (key === undefined ? [] : [...p, key])),
  });

export const realmInstruction: fc.Arbitrary<RealmInstruction> = fc.oneof(
  fc
    .record({ table: name })
    .map((r) => ({ type: "AddTable" as const, ...r, tableType: "Embedded" as const })),
  fc
    .record({
      table: name,
      tableType: fc.constantFrom("TopLevel" as const, "TopLevelAsymmetric" as const),
      pkField: name,
      pkType: fc.constantFrom<PayloadType>("Int", "String", "ObjectId", "UUID"),
      pkNullable: fc.boolean(),
    })
    .map((r) => ({ type: "AddTable" as const, ...r })),
  fc.record({ table: name }).map((r) => ({ type: "EraseTable" as const, ...r })),
  fc
    .record({
      table: name,
      field: name,
      valueType: payloadType,
      nullable: fc.boolean(),
      collectionType: fc.constantFrom(
        "Single" as const,
        "List" as const,
        "Dictionary" as const,
        "Set" as const,
      ),
      linkTargetTable: name,
      keyType: fc.constantFrom<PayloadType>("String"),
    })
    .map(({ linkTargetTable, keyType, ...r }) => ({
      type: "AddColumn" as const,
      ...r,
      ...(r.valueType === "Link" ? { linkTargetTable } : {}),
      ...(r.collectionType === "Dictionary" ? { keyType } : {}),
    })),
  fc.record({ table: name, field: name }).map((r) => ({ type: "EraseColumn" as const, ...r })),
  fc.record({ table: name, pk: realmPrimaryKey, erase: fc.boolean() }).map(({ erase, ...r }) => ({
    type: erase ? ("EraseObject" as const) : ("CreateObject" as const),
    ...r,
  })),
  fc
    .tuple(prefix(false), realmPayload, fc.boolean())
    .map(([p, value, isDefault]) => ({ type: "Update" as const, ...p, value, isDefault })),
  fc
    .tuple(prefix(true), realmPayload, u32)
    .map(([p, value, priorSize]) => ({ type: "Update" as const, ...p, value, priorSize })),
  fc
    .tuple(prefix(false), int64)
    .map(([p, value]) => ({ type: "AddInteger" as const, ...p, value })),
  fc
    .tuple(prefix(true), realmPayload, smallCount)
    .map(([p, value, priorSize]) => ({ type: "ArrayInsert" as const, ...p, value, priorSize })),
  fc
    .tuple(prefix(true), smallCount, smallCount)
    .map(([p, to, priorSize]) => ({ type: "ArrayMove" as const, ...p, to, priorSize })),
  fc
    .tuple(prefix(true), smallCount)
    .map(([p, priorSize]) => ({ type: "ArrayErase" as const, ...p, priorSize })),
  fc
    .tuple(
      prefix(false),
      fc.constantFrom("Single" as const, "List" as const, "Dictionary" as const, "Set" as const),
    )
    .map(([p, collectionType]) => ({ type: "Clear" as const, ...p, collectionType })),
  fc.tuple(prefix(false), realmPayload, fc.boolean()).map(([p, value, erase]) => ({
    type: erase ? ("SetErase" as const) : ("SetInsert" as const),
    ...p,
    value,
  })),
);

const safe = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const version = fc.oneof(fc.integer({ min: 0, max: 1000 }), safe);
const json = fc.oneof(fc.constant("{}"), fc.json({ maxDepth: 2 }), fc.string({ maxLength: 30 }));
const changeset = fc.oneof(
  fc.uint8Array({ maxLength: 50 }),
  fc.constant(new Uint8Array(3000).fill(7)),
);

const uploadChangeset: fc.Arbitrary<UploadChangeset> = fc.record({
  clientVersion: version,
  lastIntegratedServerVersion: version,
  originTimestamp: safe,
  originFileIdent: version,
  changeset,
});
const downloadChangeset: fc.Arbitrary<DownloadChangeset> = fc.record({
  serverVersion: version,
  lastIntegratedClientVersion: version,
  originTimestamp: safe,
  originFileIdent: version,
  originalSize: version,
  changeset,
});

export const realmClientMessage: fc.Arbitrary<RealmClientMessage> = fc.oneof(
  fc
    .record({
      session: version,
      path: json,
      token: fc.string({ maxLength: 10 }),
      needClientFileIdent: fc.boolean(),
      isSubserver: fc.boolean(),
    })
    .map((r) => ({ type: "bind" as const, ...r })),
  fc
    .record({
      session: version,
      clientFileIdent: version,
      clientFileSalt: safe,
      scanServerVersion: version,
      scanClientVersion: version,
      latestServerVersion: version,
      latestServerSalt: safe,
      queryVersion: version,
      query: json,
    })
    .map((r) => ({ type: "ident" as const, ...r })),
  fc
    .record({ session: version, queryVersion: version, query: json })
    .map((r) => ({ type: "query" as const, ...r })),
  fc
    .record({
      session: version,
      progressClientVersion: version,
      progressServerVersion: version,
      lockedServerVersion: version,
      changesets: fc.array(uploadChangeset, { maxLength: 4 }),
    })
    .map((r) => ({ type: "upload" as const, ...r })),
  fc
    .record({ session: version, requestIdent: version })
    .map((r) => ({ type: "mark" as const, ...r })),
  fc.record({ session: version }).map((r) => ({ type: "unbind" as const, ...r })),
  fc.record({ timestamp: safe, rtt: version }).map((r) => ({ type: "ping" as const, ...r })),
  fc
    .record({ code: fc.integer({ min: 100, max: 299 }), session: version, body: json })
    .map((r) => ({ type: "json_error" as const, ...r })),
  fc
    .record({ session: version, requestIdent: version, body: json })
    .map((r) => ({ type: "test_command" as const, ...r })),
);

export const realmServerMessage: fc.Arbitrary<RealmServerMessage> = fc.oneof(
  fc
    .record({ session: version, clientFileIdent: version, clientFileSalt: safe })
    .map((r) => ({ type: "ident" as const, ...r })),
  fc
    .record({
      session: version,
      downloadServerVersion: version,
      downloadClientVersion: version,
      latestServerVersion: version,
      latestServerSalt: safe,
      uploadClientVersion: version,
      uploadServerVersion: version,
      queryVersion: version,
      batchState: fc.constantFrom(0 as const, 1 as const, 2 as const),
      progressEstimate: fc.oneof(
        fc.constantFrom(0, 1, 0.5),
        fc.double({ min: 0, max: 1, noNaN: true }),
      ),
      changesets: fc.array(downloadChangeset, { maxLength: 4 }),
    })
    .map((r) => ({ type: "download" as const, ...r })),
  fc
    .record({ session: version, requestIdent: version })
    .map((r) => ({ type: "mark" as const, ...r })),
  fc.record({ session: version }).map((r) => ({ type: "unbound" as const, ...r })),
  fc.record({ timestamp: safe }).map((r) => ({ type: "pong" as const, ...r })),
  fc
    .record({ code: fc.integer({ min: 100, max: 299 }), session: version, body: json })
    .map((r) => ({ type: "json_error" as const, ...r })),
  fc
    .record({
      code: fc.integer({ min: 100, max: 299 }),
      session: version,
      queryVersion: version,
      message: fc.string({ maxLength: 30 }),
    })
    .map((r) => ({ type: "query_error" as const, ...r })),
  fc.record({ session: version, body: json }).map((r) => ({ type: "log_message" as const, ...r })),
  fc
    .record({ session: version, requestIdent: version, body: json })
    .map((r) => ({ type: "test_command" as const, ...r })),
);

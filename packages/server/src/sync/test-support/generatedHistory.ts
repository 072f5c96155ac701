/**
 * Generated sync histories for property tests of what sessions receive: two synced tables
 * (`Car`, `Truck`) over the cars schema, objects whose state before and after an entry is
 * drawn (or absent), entries built from those shapes (with corrections and 231 reports when
 * they are the session's own), appended to storage as the server appends them, a view of the
 * tables a session subscribes to (`miles < 100`) under the owner read/write role, and a download
 * pump that records what it sends.
 */
import type { Instruction, ServerMessage } from "@atoll/protocol";
import { bindQuery, type BoundQuery, type RqlSchema } from "@atoll/rql";
import { ObjectId } from "bson";
import fc from "fast-check";
import type { Document } from "../../data/types.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { instructionsForDocument } from "../documentInstructions.js";
import type { EntryObject, SyncEntry } from "../history/historyEntries.js";
import { counterOp, historyEntryOp } from "../history/historyWrites.js";
import { COUNTERS } from "../history/syncNamespaces.js";
import { SyncHistory } from "../history/SyncHistory.js";
import { SessionPermissions } from "../permissions/SessionPermissions.js";
import { DownloadPump } from "../service/DownloadPump.js";
import { EntryCache } from "../service/EntryCache.js";
import type { SessionHost } from "../service/SessionHost.js";
import type { SyncModel } from "../syncSchema.js";
import { carSchema, ownerReadWrite, ruleContextForUser } from "./carsFixture.js";

export const TABLES = ["Car", "Truck"] as const;
export type GeneratedTable = (typeof TABLES)[number];

export const historySchema: RqlSchema = {
  ...carSchema,
  Truck: { ...carSchema.Car!, name: "Truck" },
};

export const historyModel: SyncModel = {
  schema: historySchema,
  tables: new Map(
    TABLES.map((name) => [name, { name, database: "db", collection: name, asymmetric: false }]),
  ),
};

/** `count` fixed ObjectIds (1, 2, …), so generated objects collide often. */
export function objectIds(count: number): ObjectId[] {
  return Array.from(
    { length: count },
    (_, i) => new ObjectId((i + 1).toString(16).padStart(24, "0")),
  );
}

const objectState = fc.option(
  fc.record({ ownerId: fc.constantFrom("alice", "bob"), miles: fc.integer({ min: 0, max: 200 }) }),
  { nil: undefined },
);

export interface ObjectShape {
  readonly table: GeneratedTable;
  readonly id: ObjectId;
  readonly before: { ownerId: string; miles: number } | undefined;
  readonly after: { ownerId: string; miles: number } | undefined;
}

/** One object an entry touches: its table, its id among `ids`, its state before and after. */
export function objectShape(ids: readonly ObjectId[]): fc.Arbitrary<ObjectShape> {
  return fc.record({
    table: fc.constantFrom(...TABLES),
    id: fc.constantFrom(...ids),
    before: objectState,
    after: objectState,
  });
}

export interface EntryShape {
  readonly origin: number;
  readonly objects: readonly ObjectShape[];
  readonly rejected: boolean;
  /** Whether an own entry carries a correction (default: it does). */
  readonly corrected?: boolean;
}

/** The history entry a shape stands for; own entries (of `sessionFile`) correct and report their first object. */
export function entryFromShape(
  shape: EntryShape,
  at: { readonly version: number; readonly clientVersion: number; readonly sessionFile: number },
): SyncEntry {
  const doc = (table: string, id: ObjectId, fields: object): Document => ({
    _id: id,
    make: table,
    ...fields,
  });
  const objects: EntryObject[] = shape.objects.map(({ table, id, before, after }) => ({
    table,
    pk: id,
    ...(before ? { before: doc(table, id, before) } : {}),
    ...(after ? { after: doc(table, id, after) } : {}),
  }));
  const own = shape.origin === at.sessionFile;
  const first = objects[0];
  const erase = (object: EntryObject): Instruction => ({
    type: "EraseObject",
    table: object.table,
    pk: object.pk,
  });
  return {
    version: at.version,
    originIdent: shape.origin,
    originTimestamp: 1000 + at.version,
    clientVersion: at.clientVersion,
    instructions: objects.flatMap((o) =>
      o.after ? instructionsForDocument(historySchema, o.table, o.after) : [erase(o)],
    ),
    objects,
    corrections: own && (shape.corrected ?? true) && first ? [erase(first)] : [],
    rejected:
      own && shape.rejected && first
        ? [{ table: first.table, pk: first.pk, reason: "not allowed" }]
        : [],
  };
}

/** Appends entries to storage as the server does: the version counter and the entry together. */
export async function appendEntries(
  storage: StorageEngine,
  entries: readonly SyncEntry[],
): Promise<void> {
  for (const entry of entries) {
    const counter = await storage.get(COUNTERS, "serverVersion");
    await storage.commit([
      counterOp("serverVersion", entry.version, counter),
      historyEntryOp(entry),
    ]);
  }
}

/** Alice's view of `tables` (`miles < 100`, owner read/write): whether a document is in it. */
export async function generatedView(
  tables: readonly string[],
): Promise<(table: string, doc: Document) => boolean> {
  const permissions = await SessionPermissions.start(
    new Map(TABLES.map((table) => [table, ownerReadWrite])),
    ruleContextForUser("alice"),
  );
  const queries = new Map<string, BoundQuery[]>(
    tables.map((table) => [table, [bindQuery("miles < 100", historySchema, table)]]),
  );
  return (table, doc) => {
    const bound = queries.get(table);
    return bound !== undefined && permissions.inView(table, doc, bound);
  };
}

/** A session host that records what is sent, and never holds a send back. */
export function recordingHost(): { host: SessionHost; messages: ServerMessage[] } {
  const messages: ServerMessage[] = [];
  const host: SessionHost = {
    accessToken: "",
    send: (message) => messages.push(message),
    writable: () => Promise.resolve(true),
    enqueue: () => {},
  };
  return { host, messages };
}

/**
 * A download pump for session 1 over storage's history, recording what it sends; `outcome`
 * is what a device would notice (downloads with changesets, 231 reports, in order) and the
 * cursors the pump ends on.
 */
export function recordingPump(storage: StorageEngine): {
  cache: EntryCache;
  pump: DownloadPump;
  outcome: () => { messages: ServerMessage[]; cursor: number; clientVersion: number };
} {
  const cache = new EntryCache(new SyncHistory(storage, historyModel));
  const { host, messages } = recordingHost();
  const pump = new DownloadPump(cache, host, 1);
  return {
    cache,
    pump,
    outcome: () => ({
      messages: messages.filter((m) => m.type !== "download" || m.changesets.length > 0),
      cursor: pump.cursor,
      clientVersion: pump.lastIntegratedClientVersion,
    }),
  };
}

/**
 * Property: a session woken only for the entries that concern it (fan-out) notices exactly
 * what it noticed when every append woke it, and ends on the same cursors — whatever the
 * history (own entries with corrections or 231 reports, others' entries on tables in and out
 * of its view, ingest entries with no objects), its view, and where marks fall.
 */
import type { ServerMessage } from "@atoll/protocol";
import { bindQuery, type BoundQuery, type RqlSchema } from "@atoll/rql";
import { ObjectId } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Document } from "../../data/types.js";
import { openStorage } from "../../storage/openStorage.js";
import { instructionsForDocument } from "../documentInstructions.js";
import type { SyncEntry } from "../history/historyEntries.js";
import { counterOp, historyEntryOp } from "../history/historyWrites.js";
import { SyncHistory } from "../history/SyncHistory.js";
import { COUNTERS } from "../history/syncNamespaces.js";
import { SessionPermissions } from "../permissions/SessionPermissions.js";
import type { SyncModel } from "../syncSchema.js";
import { carSchema, ownerReadWrite, ruleContextForUser } from "../test-support/carsFixture.js";
import { DownloadPump, type CatchUpView } from "./DownloadPump.js";
import { EntryCache } from "./EntryCache.js";
import { entryConcerns, FanOut } from "./FanOut.js";
import type { SessionHost } from "./SessionHost.js";

const FILE = 2;
const TABLES = ["Car", "Truck"] as const;
const schema: RqlSchema = { ...carSchema, Truck: { ...carSchema.Car!, name: "Truck" } };
const model: SyncModel = {
  schema,
  tables: new Map(
    TABLES.map((name) => [name, { name, database: "db", collection: name, asymmetric: false }]),
  ),
};
const IDS = [1, 2].map((n) => new ObjectId(n.toString(16).padStart(24, "0")));

const state = fc.option(
  fc.record({ ownerId: fc.constantFrom("alice", "bob"), miles: fc.integer({ min: 0, max: 200 }) }),
  { nil: undefined },
);
const step = fc.oneof(
  fc.record({
    kind: fc.constant("append" as const),
    origin: fc.constantFrom(1, FILE, 3),
    objects: fc.array(
      fc.record({
        table: fc.constantFrom(...TABLES),
        id: fc.constantFrom(...IDS),
        before: state,
        after: state,
      }),
      { maxLength: 2 },
    ),
    rejected: fc.boolean(),
  }),
  fc.constant({ kind: "mark" as const }),
);
const scenario = fc.record({
  steps: fc.array(step, { maxLength: 15 }),
  viewTables: fc.subarray([...TABLES]),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
type Append = Extract<Scenario["steps"][number], { kind: "append" }>;

function entryOf(shape: Append, version: number, clientVersion: number): SyncEntry {
  const doc = (table: string, id: ObjectId, fields: object): Document => ({
    _id: id,
    make: table,
    ...fields,
  });
  const objects = shape.objects.map(({ table, id, before, after }) => ({
    table,
    pk: id,
    ...(before ? { before: doc(table, id, before) } : {}),
    ...(after ? { after: doc(table, id, after) } : {}),
  }));
  const first = objects[0];
  const own = shape.origin === FILE;
  return {
    version,
    originIdent: shape.origin,
    originTimestamp: 1000 + version,
    clientVersion,
    instructions: objects.flatMap((o) =>
      o.after
        ? instructionsForDocument(schema, o.table, o.after)
        : [{ type: "EraseObject" as const, table: o.table, pk: o.pk }],
    ),
    objects,
    corrections:
      own && first ? [{ type: "EraseObject" as const, table: first.table, pk: first.pk }] : [],
    rejected:
      own && shape.rejected && first ? [{ table: first.table, pk: first.pk, reason: "no" }] : [],
  };
}

/** What a device would notice: downloads with changesets, 231 reports, in order. */
function noticed(messages: readonly ServerMessage[]): ServerMessage[] {
  return messages.filter((m) => m.type !== "download" || m.changesets.length > 0);
}

async function run(s: Scenario, fanOut: boolean) {
  const storage = await openStorage("memory");
  try {
    const cache = new EntryCache(new SyncHistory(storage, model));
    const messages: ServerMessage[] = [];
    const host: SessionHost = {
      accessToken: "",
      send: (message) => messages.push(message),
      writable: () => Promise.resolve(true),
      enqueue: () => {},
    };
    const pump = new DownloadPump(cache, host, 1);
    const permissions = await SessionPermissions.start(
      new Map(TABLES.map((table) => [table, ownerReadWrite])),
      ruleContextForUser("alice"),
    );
    const queries = new Map<string, BoundQuery[]>(
      s.viewTables.map((table) => [table, [bindQuery("miles < 100", schema, table)]]),
    );
    const tables = new Set<string>(s.viewTables);
    let integrated = 0;
    const session = {
      concerns: (entry: SyncEntry) => entryConcerns(entry, FILE, (table) => tables.has(table)),
      wake: () => {},
    };
    const sessions = new FanOut<typeof session>();
    sessions.add(session, 0);
    const view = (): CatchUpView => ({
      clientFileIdent: FILE,
      schema,
      tables,
      integratedClientVersion: integrated,
      ...(fanOut ? { concernedThrough: sessions.concernedThrough(session) } : {}),
      inView: (table, doc) => {
        const bound = queries.get(table);
        return bound !== undefined && permissions.inView(table, doc, bound);
      },
    });
    let version = 0;
    for (const current of s.steps) {
      if (current.kind === "mark") {
        await pump.catchUp(view(), true);
        continue;
      }
      const own = current.origin === FILE;
      const entry = entryOf(current, ++version, own ? ++integrated : 0);
      const counter = await storage.get(COUNTERS, "serverVersion");
      await storage.commit([counterOp("serverVersion", version, counter), historyEntryOp(entry)]);
      const woken = sessions.appending([entry]).length > 0;
      await cache.add([entry]);
      if (woken || !fanOut) await pump.catchUp(view());
    }
    await pump.catchUp(view(), true);
    return {
      messages: noticed(messages),
      cursor: pump.cursor,
      clientVersion: pump.lastIntegratedClientVersion,
    };
  } finally {
    await storage.close();
  }
}

describe("fan-out", () => {
  it("wakes a session for every entry that can send it anything (generated histories and views)", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        expect(await run(s, true)).toEqual(await run(s, false));
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it("does not wake other sessions for an entry of data ingest", () => {
    const sessions = new FanOut<{ concerns: (e: SyncEntry) => boolean; wake: () => void }>();
    const ingest: SyncEntry = {
      version: 1,
      originIdent: 5,
      originTimestamp: 0,
      clientVersion: 1,
      instructions: [],
      objects: [],
      corrections: [],
      rejected: [],
    };
    const origin = { concerns: (e: SyncEntry) => entryConcerns(e, 5, () => true), wake: () => {} };
    const other = { concerns: (e: SyncEntry) => entryConcerns(e, 6, () => true), wake: () => {} };
    sessions.add(origin, 0);
    sessions.add(other, 0);
    expect(sessions.appending([ingest])).toEqual([origin]);
    expect(sessions.concernedThrough(other)).toBe(0);
  });
});

/**
 * Property: a catch-up that skips history the session cannot see (no table in its view and
 * none of its own entries after the cursor, or entries touching none of its tables) sends the
 * same downloads with changesets, the same 231 reports and ends on the same cursors as the
 * full walk of every entry, whatever the history, the view and the cursor it starts from.
 * Histories are real entries in storage, read through the service's entry cache. And a
 * bootstrap batch too large for one message reaches the device whole, in several.
 */
import { BatchState, decodeChangeset, type Instruction, type ServerMessage } from "@atoll/protocol";
import { ObjectId } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openStorage } from "../../storage/openStorage.js";
import { instructionsForDocument } from "../documentInstructions.js";
import type { SyncEntry } from "../history/historyEntries.js";
import { SyncHistory } from "../history/SyncHistory.js";
import {
  appendEntries,
  entryFromShape,
  generatedView,
  historyModel,
  historySchema,
  objectIds,
  objectShape,
  recordingHost,
  recordingPump,
  TABLES,
  type EntryShape,
} from "../test-support/generatedHistory.js";
import { DownloadPump, type CatchUpView } from "./DownloadPump.js";
import { EntryCache } from "./EntryCache.js";

const SESSION_FILE = 2;
const IDS = objectIds(3);
const schema = historySchema;
const model = historyModel;

const entryShape = fc.record({
  origin: fc.constantFrom(1, SESSION_FILE, 3),
  objects: fc.array(objectShape(IDS), { maxLength: 3 }),
  rejected: fc.boolean(),
  corrected: fc.boolean(),
});
const scenario = fc.record({
  entries: fc.array(entryShape, { maxLength: 12 }),
  /** Fractions of the history: where the client's cursor is, and where a live catch-up runs. */
  start: fc.double({ min: 0, max: 1, noNaN: true }),
  split: fc.double({ min: 0, max: 1, noNaN: true }),
  viewTables: fc.subarray([...TABLES]),
  always: fc.boolean(),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The stored entries of a generated history, numbered from 1. */
function historyOf(shapes: readonly EntryShape[]): SyncEntry[] {
  const clientVersions = new Map<number, number>();
  return shapes.map((shape, i) => {
    const clientVersion = shape.origin === 1 ? 0 : (clientVersions.get(shape.origin) ?? 0) + 1;
    clientVersions.set(shape.origin, clientVersion);
    return entryFromShape(shape, { version: i + 1, clientVersion, sessionFile: SESSION_FILE });
  });
}

function ownVersionThrough(entries: readonly SyncEntry[], version: number): number {
  return Math.max(
    0,
    ...entries
      .filter((e) => e.version <= version && e.originIdent === SESSION_FILE)
      .map((e) => e.clientVersion),
  );
}

async function run(
  s: Scenario,
  view: (integrated: number) => CatchUpView,
): Promise<{ messages: ServerMessage[]; cursor: number; clientVersion: number }> {
  const storage = await openStorage("memory");
  try {
    const entries = historyOf(s.entries);
    const start = Math.floor(s.start * entries.length);
    const split = start + Math.floor(s.split * (entries.length - start));
    const { cache, pump, outcome } = recordingPump(storage);
    pump.cursor = start;
    pump.lastIntegratedClientVersion = ownVersionThrough(entries, start);
    // The client identifies after `split` entries exist, then the rest arrive live.
    await appendEntries(storage, entries.slice(0, split));
    await cache.refresh();
    await pump.catchUp(view(ownVersionThrough(entries, split)), true);
    await appendEntries(storage, entries.slice(split));
    await cache.refresh();
    await pump.catchUp(view(ownVersionThrough(entries, entries.length)), s.always);
    return outcome();
  } finally {
    await storage.close();
  }
}

async function viewsFor(tables: readonly string[]) {
  const inView = await generatedView(tables);
  const base = {
    clientFileIdent: SESSION_FILE,
    schema,
    inView,
  };
  return {
    /** The session as it is. */
    session: (integrated: number): CatchUpView => ({
      ...base,
      tables: new Set(tables),
      integratedClientVersion: integrated,
    }),
    /** Every table possibly seen and an unknown integrated version: nothing can be skipped. */
    fullWalk: (): CatchUpView => ({
      ...base,
      tables: new Set(TABLES),
      integratedClientVersion: Number.MAX_SAFE_INTEGER,
    }),
  };
}

describe("DownloadPump catch-up", () => {
  it("skips only history that would send nothing: same downloads as the full walk", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const views = await viewsFor(s.viewTables);
        const fast = await run(s, views.session);
        const full = await run(s, views.fullWalk);
        expect(fast).toEqual(full);
      }),
      { numRuns: 150 },
    );
  });

  it("moves a session with an empty view to the latest version without reading history", async () => {
    const storage = await openStorage("memory");
    try {
      const entries = historyOf(
        Array.from({ length: 30 }, () => ({
          origin: 3,
          objects: [{ table: "Car" as const, id: IDS[0]!, before: undefined, after: undefined }],
          rejected: false,
          corrected: false,
        })),
      );
      await appendEntries(storage, entries);
      const cache = new EntryCache(new SyncHistory(storage, model));
      await cache.refresh();
      let reads = 0;
      const counting = {
        get latest() {
          return cache.latest;
        },
        after: (version: number, limit: number) => {
          reads++;
          return cache.after(version, limit);
        },
      };
      const { host, messages } = recordingHost();
      const pump = new DownloadPump(counting, host, 1);
      await pump.catchUp((await viewsFor([])).session(0), true);
      expect(reads).toBe(0);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ type: "download", download: { serverVersion: 30 } });
    } finally {
      await storage.close();
    }
  });
});

describe("DownloadPump bootstrap", () => {
  it("sends a batch of large objects as several messages of whole objects, the last one last", async () => {
    const big = "x".repeat(1024 * 1024);
    const instructions: Instruction[] = IDS.flatMap((id) =>
      [1, 2, 3, 4].flatMap((n) =>
        instructionsForDocument(schema, "Car", {
          _id: new ObjectId(id.toHexString().slice(0, 22) + String(n).padStart(2, "0")),
          ownerId: "alice",
          make: big,
        }),
      ),
    );
    const { host, messages } = recordingHost();
    const pump = new DownloadPump({ latest: 0, after: () => Promise.resolve([]) }, host, 1);
    await pump.sendBootstrap(7, [{ instructions }]);
    const downloads = messages.flatMap((m) => (m.type === "download" ? [m] : []));
    expect(downloads.length).toBeGreaterThan(1);
    expect(downloads.map((d) => d.batchState)).toEqual([
      ...downloads.slice(1).map(() => BatchState.MoreToCome),
      BatchState.LastInBatch,
    ]);
    expect(downloads.every((d) => d.queryVersion === 7)).toBe(true);
    const received = downloads.map((d) => decodeChangeset(d.changesets[0]!.changeset));
    expect(received.every((part) => part[0]?.type === "CreateObject")).toBe(true);
    expect(received.flat()).toEqual(instructions);
  });
});

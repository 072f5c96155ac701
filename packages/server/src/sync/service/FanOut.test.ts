/**
 * Property: a session woken only for the entries that concern it (fan-out) notices exactly
 * what it noticed when every append woke it, and ends on the same cursors — whatever the
 * history (own entries with corrections or 231 reports, others' entries on tables in and out
 * of its view, ingest entries with no objects), its view, and where marks fall.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openStorage } from "../../storage/openStorage.js";
import type { SyncEntry } from "../history/historyEntries.js";
import {
  appendEntries,
  entryFromShape,
  generatedView,
  historySchema,
  objectIds,
  objectShape,
  recordingPump,
  TABLES,
} from "../test-support/generatedHistory.js";
import type { CatchUpView } from "./DownloadPump.js";
import { entryConcerns, FanOut } from "./FanOut.js";

const FILE = 2;
const step = fc.oneof(
  fc.record({
    kind: fc.constant("append" as const),
    origin: fc.constantFrom(1, FILE, 3),
    objects: fc.array(objectShape(objectIds(2)), { maxLength: 2 }),
    rejected: fc.boolean(),
  }),
  fc.constant({ kind: "mark" as const }),
);
const scenario = fc.record({
  steps: fc.array(step, { maxLength: 15 }),
  viewTables: fc.subarray([...TABLES]),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function run(s: Scenario, fanOut: boolean) {
  const storage = await openStorage("memory");
  try {
    const { cache, pump, outcome } = recordingPump(storage);
    const inView = await generatedView(s.viewTables);
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
      schema: historySchema,
      tables,
      integratedClientVersion: integrated,
      ...(fanOut ? { concernedThrough: sessions.concernedThrough(session) } : {}),
      inView,
    });
    let version = 0;
    for (const current of s.steps) {
      if (current.kind === "mark") {
        await pump.catchUp(view(), true);
        continue;
      }
      const own = current.origin === FILE;
      const entry = entryFromShape(current, {
        version: ++version,
        clientVersion: own ? ++integrated : 0,
        sessionFile: FILE,
      });
      await appendEntries(storage, [entry]);
      const woken = sessions.appending([entry]).length > 0;
      await cache.add([entry]);
      if (woken || !fanOut) await pump.catchUp(view());
    }
    await pump.catchUp(view(), true);
    return outcome();
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

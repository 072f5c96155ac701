import fc from "fast-check";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadAppConfig } from "../config/loadAppConfig.js";
import { CARS_APP_DIR } from "../config/test-support/appFixture.js";
import { DataLayer } from "../data/DataLayer.js";
import { openStorage } from "../storage/openStorage.js";
import type { StorageEngine } from "../storage/StorageEngine.js";
import { LOG_ENTRY_TYPES, type LogEntry } from "./LogEntry.js";
import { LogStore } from "./LogStore.js";
import { logEntryIdFloor, nextLogEntryId } from "./logEntryId.js";
import { MAX_LOG_LINES } from "./storedEntry.js";

const opened: StorageEngine[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/** A data layer over a fresh in-memory store, as the server builds it. */
async function memoryDataService(): Promise<DataLayer> {
  const storage = await openStorage("memory");
  opened.push(storage);
  return new DataLayer(storage, await loadAppConfig(CARS_APP_DIR));
}

const at = (second: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, second));

function entry(overrides: Partial<LogEntry> = {}): LogEntry {
  return { time: at(0), type: "function", outcome: "ok", message: "called sum", ...overrides };
}

describe("LogStore", () => {
  it("keeps every field of an entry: time, type, user, outcome, message, details and console output", async () => {
    const logs = new LogStore(await memoryDataService());
    const written = entry({
      userId: "65a1f0c2e4b0a1b2c3d4e5f6",
      outcome: "error",
      message: "function sum failed",
      details: { name: "sum", error: "boom", durationMs: 3 },
      logs: ["adding 1 and 2", "done"],
    });
    await logs.append(written);
    expect(await logs.query()).toEqual([written]);
  });

  it("filters by type, user and time, and a limit keeps the newest entries, oldest first", async () => {
    const logs = new LogStore(await memoryDataService());
    await logs.append(entry({ time: at(1), type: "auth", userId: "a", message: "login a" }));
    await logs.append(entry({ time: at(2), type: "function", userId: "b", message: "call b" }));
    await logs.append(entry({ time: at(3), type: "auth", userId: "b", message: "login b" }));
    await logs.append(entry({ time: at(4), type: "request", message: "GET /location" }));
    const messages = (list: LogEntry[]) => list.map((e) => e.message);
    expect(messages(await logs.query({ type: "auth" }))).toEqual(["login a", "login b"]);
    expect(messages(await logs.query({ userId: "b" }))).toEqual(["call b", "login b"]);
    expect(messages(await logs.query({ since: at(3) }))).toEqual(["login b", "GET /location"]);
    expect(messages(await logs.query({ limit: 2 }))).toEqual(["login b", "GET /location"]);
  });

  it("stores details it cannot keep as they are in a readable form, and bounds console output", async () => {
    const logs = new LogStore(await memoryDataService());
    await logs.append(
      entry({
        details: {
          skipped: undefined,
          fn: () => 1,
          error: new TypeError("bad"),
          big: 10n,
          $where: "x",
        },
        logs: Array.from({ length: MAX_LOG_LINES + 5 }, (_, i) => `line ${i}`),
      }),
    );
    const [stored] = await logs.query();
    expect(stored?.details).toEqual({
      error: { name: "TypeError", message: "bad" },
      big: "10",
      _$where: "x",
    });
    expect(stored?.logs).toHaveLength(MAX_LOG_LINES + 1);
    expect(stored?.logs?.at(-1)).toBe("… 5 more lines not kept");
  });

  it("follow delivers entries appended after it starts, in order, until stopped", async () => {
    const logs = new LogStore(await memoryDataService());
    await logs.append(entry({ message: "before" }));
    const seen: string[] = [];
    const stop = logs.follow((e) => seen.push(e.message));
    for (const message of ["one", "two", "three"]) await logs.append(entry({ message }));
    await vi.waitFor(() => expect(seen).toEqual(["one", "two", "three"]));
    stop();
    await logs.append(entry({ message: "after stop" }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(["one", "two", "three"]);
  });

  it("follow also sees entries another process writes to the same store", async () => {
    // Two processes on one SQLite file: a reader with its own connection, and the writer.
    const dir = await mkdtemp(path.join(tmpdir(), "atoll-logs-"));
    const config = await loadAppConfig(CARS_APP_DIR);
    const readerStorage = await openStorage(`sqlite:${path.join(dir, "app.db")}`);
    const writerStorage = await openStorage(`sqlite:${path.join(dir, "app.db")}`);
    opened.push(readerStorage, writerStorage);
    const reader = new LogStore(new DataLayer(readerStorage, config), { pollMs: 5 });
    const writer = new LogStore(new DataLayer(writerStorage, config));
    const seen: string[] = [];
    const stop = reader.follow((e) => seen.push(e.message));
    try {
      await vi.waitFor(async () => {
        await writer.append(entry({ message: "from the server" }));
        expect(seen).toContain("from the server");
      });
    } finally {
      stop();
      await Promise.all(opened.splice(0).map((s) => s.close()));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("answers any query exactly as filtering the appended entries would (generated logs)", async () => {
    const entryArb = fc.record({
      second: fc.integer({ min: 0, max: 50 }),
      type: fc.constantFrom(...LOG_ENTRY_TYPES),
      userId: fc.option(fc.constantFrom("u1", "u2", "u3"), { nil: undefined }),
      outcome: fc.constantFrom("ok" as const, "error" as const),
    });
    const queryArb = fc.record(
      {
        since: fc.integer({ min: 0, max: 50 }),
        type: fc.constantFrom(...LOG_ENTRY_TYPES),
        userId: fc.constantFrom("u1", "u2", "u3"),
        limit: fc.integer({ min: 1, max: 40 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { maxLength: 30 }), queryArb, async (generated, q) => {
        const logs = new LogStore(await memoryDataService());
        const written = generated.map((g, i): LogEntry => ({
          time: at(g.second),
          type: g.type,
          outcome: g.outcome,
          message: `entry ${i}`,
          ...(g.userId === undefined ? {} : { userId: g.userId }),
        }));
        for (const e of written) await logs.append(e);
        const expected = written
          .filter((e) => q.since === undefined || e.time >= at(q.since))
          .filter((e) => q.type === undefined || e.type === q.type)
          .filter((e) => q.userId === undefined || e.userId === q.userId)
          .slice(-(q.limit ?? 100));
        const result = await logs.query({
          ...q,
          since: q.since === undefined ? undefined : at(q.since),
        });
        expect(result).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it("stores entries appended at the same time together, each promise resolving once stored, in append order", async () => {
    const logs = new LogStore(await memoryDataService());
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => logs.append(entry({ message: `burst ${i}` }))),
    );
    const stored = await logs.query({ limit: 1000 });
    expect(stored.map((e) => e.message)).toEqual(
      Array.from({ length: 50 }, (_, i) => `burst ${i}`),
    );
  });

  it("finds the newest entries whether they were written minutes or weeks ago", async () => {
    const logs = new LogStore(await memoryDataService());
    const now = Date.UTC(2026, 5, 15, 12);
    vi.useFakeTimers({ toFake: ["Date"] });
    const appendAt = async (msAgo: number, message: string) => {
      vi.setSystemTime(now - msAgo);
      await logs.append(entry({ time: new Date(now - msAgo), message }));
    };
    await appendAt(30 * 86_400_000, "a month ago");
    await appendAt(8 * 86_400_000, "last week");
    await appendAt(2 * 3_600_000, "two hours ago");
    await appendAt(60_000, "a minute ago");
    vi.setSystemTime(now);
    const messages = async (q: Parameters<LogStore["query"]>[0]) =>
      (await logs.query(q)).map((e) => e.message);
    expect(await messages({ limit: 1 })).toEqual(["a minute ago"]);
    expect(await messages({ limit: 3 })).toEqual(["last week", "two hours ago", "a minute ago"]);
    expect(await messages({})).toEqual([
      "a month ago",
      "last week",
      "two hours ago",
      "a minute ago",
    ]);
    expect(await messages({ since: new Date(now - 9 * 86_400_000), limit: 10 })).toEqual([
      "last week",
      "two hours ago",
      "a minute ago",
    ]);
  });
});

describe("log entry ids", () => {
  it("increase strictly in append order, even when the clock steps back", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4_102_444_800_000 }), { minLength: 2, maxLength: 50 }),
        (clock) => {
          const ids = clock.map((now) => nextLogEntryId(now));
          for (let i = 1; i < ids.length; i++)
            expect((ids[i] ?? "") > (ids[i - 1] ?? "")).toBe(true);
        },
      ),
    );
  });

  it("an entry appended at or after a time sorts at or after that time's floor", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.nat({ max: 1_000_000 }),
        (time, later) => {
          expect(nextLogEntryId(time + later) >= logEntryIdFloor(new Date(time))).toBe(true);
        },
      ),
    );
  });
});

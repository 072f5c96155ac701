/**
 * Several server processes on one store, as nodes on one PostgreSQL database are: each has
 * its own TriggerService on the shared storage engine. Their claims on a database trigger
 * keep an event from running on two nodes, and a node that dies mid-event hands the trigger
 * over once its claim lapses, with the one event it did not finish delivered again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { loadAppConfig } from "../config/loadAppConfig.js";
import type { AppConfig } from "../config/types.js";
import { DataLayer } from "../data/DataLayer.js";
import type { Document } from "../data/types.js";
import { FunctionService } from "../functions/FunctionService.js";
import type { LogEntry } from "../logs/LogEntry.js";
import { openStorage } from "../storage/openStorage.js";
import type { StorageEngine } from "../storage/StorageEngine.js";
import { ManualClock } from "./test-support/ManualClock.js";
import { TRIGGERS_EXAMPLE_DIR, TRIGGERS_EXAMPLE_SECRETS } from "./test-support/triggersExample.js";
import { TriggerService } from "./TriggerService.js";
import type { TriggerFunctions } from "./triggerRun.js";

const T0 = new Date(Date.UTC(2026, 11, 7, 9, 10));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Shared {
  readonly config: AppConfig;
  readonly storage: StorageEngine;
  readonly data: DataLayer;
  readonly functions: FunctionService;
}

async function sharedStore(): Promise<Shared> {
  const config = await loadAppConfig(TRIGGERS_EXAMPLE_DIR, { env: TRIGGERS_EXAMPLE_SECRETS });
  const storage = await openStorage("memory");
  const data = new DataLayer(storage, config, {});
  const functions = new FunctionService({ config, data, timeoutMs: 10_000 });
  cleanups.push(
    () => storage.close(),
    () => data.close(),
    () => functions.close(),
  );
  return { config, storage, data, functions };
}

/** One node: its own trigger service, claims and log, on the shared store. */
async function node(
  shared: Shared,
  clock: ManualClock,
  functions: TriggerFunctions = shared.functions,
): Promise<{ service: TriggerService; runs: LogEntry[] }> {
  const runs: LogEntry[] = [];
  const service = new TriggerService({
    config: shared.config,
    storage: shared.storage,
    functions,
    log: {
      recordInBackground: (entry) => void runs.push({ time: clock.now(), ...entry }),
      flush: async () => {},
    },
    clock,
  });
  await service.start();
  return { service, runs };
}

const insertCars = (shared: Shared, makes: string[]) =>
  shared.data
    .system()
    .db("cars-db")
    .collection("Car")
    .insertMany(makes.map((make) => ({ ownerId: "u1", make, model: "given" })));

const recorded = async (shared: Shared) =>
  (await shared.data.system().db("triggers").collection("carEvents").find({})).map((doc) => ({
    make: ((doc["event"] as Document)["fullDocument"] as Document)["make"],
    deliveries: doc["deliveries"],
  }));

const makes = (n: number) => Array.from({ length: n }, (_, i) => `car-${i}`);
const carRuns = (runs: LogEntry[]) =>
  runs.filter((entry) => entry.details?.["trigger"] === "recordCarEvents");

describe("database trigger claims across nodes", () => {
  it("two nodes on one store run each event once between them", async () => {
    const shared = await sharedStore();
    const clock = new ManualClock(T0);
    const a = await node(shared, clock);
    const b = await node(shared, clock);
    cleanups.push(
      () => a.service.close(),
      () => b.service.close(),
    );
    await insertCars(shared, makes(20));
    await Promise.all([a.service.whenIdle(), b.service.whenIdle()]);

    expect(await recorded(shared)).toEqual(makes(20).map((make) => ({ make, deliveries: 1 })));
    expect(carRuns(a.runs).length + carRuns(b.runs).length).toBe(20);
  });

  it("a node that dies during an event hands over when its claim lapses; only that event runs again", async () => {
    const shared = await sharedStore();
    const clock = new ManualClock(T0);
    let calls = 0;
    let died: () => void = () => {};
    const death = new Promise<void>((resolve) => (died = resolve));
    // The fault: the third event's function does its work, then its process dies (never returns).
    const dying: TriggerFunctions = {
      runForTrigger: async (name, args) => {
        const result = await shared.functions.runForTrigger(name, args);
        if (name === "recordCarEvent" && ++calls === 3) {
          died();
          return new Promise(() => {});
        }
        return result;
      },
    };
    const a = await node(shared, clock, dying);
    await insertCars(shared, makes(6));
    await death;

    const b = await node(shared, clock);
    cleanups.push(() => b.service.close());
    await b.service.whenIdle();
    expect(carRuns(b.runs)).toEqual([]);

    clock.set(new Date(T0.getTime() + 30_001));
    await b.service.whenIdle();
    expect(carRuns(b.runs)).toHaveLength(4);
    expect(await recorded(shared)).toEqual([
      { make: "car-0", deliveries: 1 },
      { make: "car-1", deliveries: 1 },
      { make: "car-2", deliveries: 2 },
      { make: "car-3", deliveries: 1 },
      { make: "car-4", deliveries: 1 },
      { make: "car-5", deliveries: 1 },
    ]);
    expect(a.runs.length).toBe(2);
  });
});

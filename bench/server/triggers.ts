/**
 * Database triggers: events delivered per second after a burst of inserts, for an ordered
 * and an unordered trigger whose function does nothing, against the baseline of calling that
 * function directly the same number of times, one after another (the sandbox's cost, which
 * every delivery pays). The difference is what a delivery adds: reading the change feed,
 * building the event, and committing the cursor.
 *
 *   npx tsx --conditions=@atoll/source bench/server/triggers.ts [events=500]
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { AtollServer } from "../../packages/server/src/AtollServer.js";
import { writeApp } from "../../packages/server/src/config/test-support/appFixture.js";
import { FunctionService } from "../../packages/server/src/functions/FunctionService.js";
import { fmt, median } from "./support.js";

const EVENTS = Number(process.argv[2] ?? 500);
const RUNS = 3;

const appFiles = (unordered: boolean) => ({
  "functions/config.json": [{ name: "noop", private: true }],
  "functions/noop.js": "exports = function (changeEvent) {};",
  "triggers/onItem.json": {
    name: "onItem",
    type: "DATABASE",
    config: {
      service_name: "mongodb-atlas",
      database: "shop",
      collection: "Item",
      operation_types: ["INSERT"],
      unordered,
    },
    event_processors: { FUNCTION: { config: { function_name: "noop" } } },
  },
});

/** Events per second from the insert of a burst until the trigger has run for each. */
async function deliveries(unordered: boolean): Promise<number> {
  const app = await writeApp(appFiles(unordered));
  const server = await AtollServer.start({
    appDir: app.dir,
    port: 0,
    logLevel: "silent",
    storage: `sqlite:${path.join(app.dir, "bench.db")}`,
  });
  try {
    const items = server.data.system().db("shop").collection("Item");
    const start = performance.now();
    await items.insertMany(Array.from({ length: EVENTS }, (_, i) => ({ _id: i, price: i })));
    await server.triggers.whenIdle();
    return EVENTS / ((performance.now() - start) / 1000);
  } finally {
    await server.close();
    await rm(app.dir, { recursive: true, force: true });
  }
}

/** Calls per second of the same function through the sandbox, with an event-sized argument. */
async function directCalls(): Promise<number> {
  const app = await writeApp(appFiles(false));
  const server = await AtollServer.start({ appDir: app.dir, port: 0, logLevel: "silent" });
  const functions = new FunctionService({
    config: server.config,
    data: server.data,
    timeoutMs: 10_000,
  });
  try {
    const event = {
      _id: { _data: "0000000000000001" },
      operationType: "insert",
      ns: { db: "shop", coll: "Item" },
      documentKey: { _id: 1 },
      fullDocument: { _id: 1, price: 1 },
    };
    const start = performance.now();
    for (let i = 0; i < EVENTS; i++) await functions.runForTrigger("noop", [event]);
    return EVENTS / ((performance.now() - start) / 1000);
  } finally {
    functions.close();
    await server.close();
    await rm(app.dir, { recursive: true, force: true });
  }
}

const rates = { direct: [] as number[], ordered: [] as number[], unordered: [] as number[] };
for (let run = 0; run < RUNS; run++) {
  rates.direct.push(await directCalls());
  rates.ordered.push(await deliveries(false));
  rates.unordered.push(await deliveries(true));
}
const direct = median(rates.direct);
console.log(`database trigger deliveries, ${EVENTS} inserts, median of ${RUNS} runs`);
console.log(`| delivery | events/s | ratio |`);
console.log(`| --- | --- | --- |`);
console.log(`| direct sequential calls of the function (baseline) | ${fmt(direct)} | 1 |`);
for (const kind of ["ordered", "unordered"] as const) {
  const rate = median(rates[kind]);
  console.log(`| ${kind} trigger | ${fmt(rate)} | ${(rate / direct).toFixed(2)}× direct |`);
}

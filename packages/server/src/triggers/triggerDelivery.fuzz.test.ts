/**
 * Model-based: random writes (inserts, updates, deletes) interleaved with clean restarts of
 * the trigger service and with a second node joining and leaving the same store. Whatever the
 * interleaving, an ordered database trigger runs once per change, in the order of the feed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../../../protocol/src/test-support/fuzzParameters.js";
import { writeApp } from "../config/test-support/appFixture.js";
import { loadAppConfig } from "../config/loadAppConfig.js";
import { DataLayer } from "../data/DataLayer.js";
import { FunctionService } from "../functions/FunctionService.js";
import { SILENT_CONSOLE, ServerLog } from "../http/ServerLog.js";
import { LogStore } from "../logs/LogStore.js";
import { openStorage } from "../storage/openStorage.js";
import { ManualClock } from "./test-support/ManualClock.js";
import { TriggerService } from "./TriggerService.js";

const APP = {
  "functions/config.json": [{ name: "seen", private: true }],
  "functions/seen.js": `exports = async function (event) {
  await context.services.get("mongodb-atlas").db("t").collection("seen").updateOne(
    { _id: event._id._data },
    { $inc: { deliveries: 1 }, $setOnInsert: { op: event.operationType, key: event.documentKey._id } },
    { upsert: true });
};`,
  "triggers/seen.json": {
    name: "seen",
    type: "DATABASE",
    config: {
      database: "shop",
      collection: "Item",
      operation_types: ["INSERT", "UPDATE", "DELETE"],
    },
    event_processors: { FUNCTION: { config: { function_name: "seen" } } },
  },
};

type Step =
  | {
      readonly kind: "write";
      readonly ops: readonly { readonly key: number; readonly op: number }[];
    }
  | { readonly kind: "restart" }
  | { readonly kind: "second node" };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("write" as const),
      ops: fc.array(fc.record({ key: fc.integer({ min: 1, max: 4 }), op: fc.nat(9) }), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "restart" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "second node" as const }) },
);

describe("ordered database trigger delivery", () => {
  it("runs once per change, in feed order, across restarts and a second node", async () => {
    const app = await writeApp(APP);
    const config = await loadAppConfig(app.dir, { env: {} });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
          const storage = await openStorage("memory");
          const data = new DataLayer(storage, config, {});
          const functions = new FunctionService({ config, data, timeoutMs: 10_000 });
          const log = new ServerLog(new LogStore(data), SILENT_CONSOLE);
          const clock = new ManualClock(new Date(Date.UTC(2026, 11, 7)));
          const startNode = async () => {
            const service = new TriggerService({
              config,
              storage,
              functions,
              log,
              clock,
            });
            await service.start();
            return service;
          };
          const items = data.system().db("shop").collection("Item");
          let node = await startNode();
          let second: TriggerService | undefined;
          try {
            for (const s of steps) {
              if (s.kind === "restart") {
                await node.close();
                node = await startNode();
              } else if (s.kind === "second node") {
                if (second === undefined) second = await startNode();
                else {
                  await second.close();
                  second = undefined;
                }
              } else {
                for (const { key, op } of s.ops) {
                  const existing = await items.findOne({ _id: key });
                  if (existing === null) await items.insertOne({ _id: key, n: op });
                  else if (op < 7) await items.updateOne({ _id: key }, { $set: { n: op } });
                  else await items.deleteOne({ _id: key });
                }
              }
            }
            // A node that stops hands its claim back, but nobody is told: the others go on
            // at the next change, or when they next look, at the time the claim would lapse.
            await node.whenIdle();
            await second?.whenIdle();
            clock.set(new Date(clock.now().getTime() + 60_000));
            await node.whenIdle();
            await second?.whenIdle();
            const changes = (await storage.changesSince(0)).filter((c) => c.ns.db === "shop");
            const seen = await data.system().db("t").collection("seen").find({});
            expect(seen.map((d) => [d["op"], d["key"], d["deliveries"]])).toEqual(
              changes.map((c) => [c.operationType, c.documentKey._id, 1]),
            );
          } finally {
            await node.close();
            await second?.close();
            await log.flush();
            functions.close();
            data.close();
            await storage.close();
          }
        }),
        fuzzParameters(12),
      );
    } finally {
      await app.remove();
    }
  }, 60_000);
});

/**
 * The service around the sandbox: concurrency with few isolates, `%function` from rules and
 * `can_evaluate` (run inside the same call), and shutdown.
 */
import { AppError } from "@atoll/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REQUEST, startHarness, userNamed } from "./test-support/functionsHarness.js";
import type { Harness } from "./test-support/functionsHarness.js";

const ALICE = userNamed("64b7f0c2a1b2c3d4e5f60031");
const BOB = userNamed("64b7f0c2a1b2c3d4e5f60032");

const THINGS = "data_sources/mongodb-atlas/shop/things/rules.json";

describe("function calls around the sandbox", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(
      {
        isTrusted: { source: `exports = (id) => id === "${ALICE.id}";`, private: true },
        guarded: {
          source: "exports = (n) => n + 1;",
          can_evaluate: {
            "%%true": { "%function": { name: "isTrusted", arguments: ["%%user.id"] } },
          },
        },
        listThings: {
          source:
            "exports = async () => (await context.services.get('mongodb-atlas').db('shop').collection('things').find({})).map((t) => t.name);",
        },
        slow: {
          source:
            "exports = async (ms) => { await new Promise((resolve) => setTimeout(resolve, ms)); return ms; };",
        },
      },
      {
        files: {
          [THINGS]: {
            database: "shop",
            collection: "things",
            roles: [
              {
                name: "trusted",
                apply_when: {
                  "%%true": { "%function": { name: "isTrusted", arguments: ["%%user.id"] } },
                },
                read: true,
                write: true,
              },
            ],
          },
        },
        service: { maxIsolates: 1 },
      },
    );
    await h.data
      .system()
      .db("shop")
      .collection("things")
      .insertMany([{ name: "lamp" }, { name: "chair" }]);
  });

  afterAll(async () => {
    await h.close();
  });

  it("decides can_evaluate with a %function call", async () => {
    expect((await h.service.callFromClient("guarded", [1], ALICE, REQUEST)).result).toBe(2);
    const denied: unknown = await h.service
      .callFromClient("guarded", [1], BOB, REQUEST)
      .catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(AppError);
    expect((denied as AppError).message).toBe('rule not matched for function "guarded"');
  });

  it("runs %function in the rules a function's query triggers, within the same call", async () => {
    expect(await h.service.execute("listThings", [], ALICE)).toEqual(["lamp", "chair"]);
    expect(await h.service.execute("listThings", [], BOB)).toEqual([]);
  });

  it("queues calls beyond the isolate limit and serves them all", async () => {
    const results = await Promise.all(
      [20, 10, 5, 1].map((ms) => h.service.execute("slow", [ms], ALICE)),
    );
    expect(results).toEqual([20, 10, 5, 1]);
  });

  it("stops running calls when closed, and refuses new ones", async () => {
    const own = await startHarness({
      hello: { source: "exports = () => 'hello';" },
      spin: { source: "exports = () => { for (;;) {} };" },
    });
    expect(await own.service.execute("hello", [], ALICE)).toBe("hello");
    const spinning = own.service.execute("spin", [], ALICE).catch((thrown: unknown) => thrown);
    await own.close();
    expect(((await spinning) as AppError).message).toBe(
      "function 'spin' was stopped: the function service has been closed",
    );
    const error: unknown = await own.service
      .execute("hello", [], ALICE)
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe("the function service has been closed");
  });
});

import { readFile } from "node:fs/promises";
import { AppError } from "@atoll/protocol";
import { ObjectId } from "bson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_USER } from "../callerContext.js";
import { CARS_APP_DIR } from "../config/test-support/appFixture.js";
import type { FunctionLogEntry } from "./functionLog.js";
import { REQUEST, startHarness, userNamed } from "./test-support/functionsHarness.js";
import type { Harness } from "./test-support/functionsHarness.js";

const ALICE = userNamed("64b7f0c2a1b2c3d4e5f60001", { favoriteColor: "teal" });
const BOB = userNamed("64b7f0c2a1b2c3d4e5f60002");

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("FunctionService", () => {
  let h: Harness;
  const logged: FunctionLogEntry[] = [];

  beforeAll(async () => {
    const seedFunction = await readFile(`${CARS_APP_DIR}/functions/writeCustomUserData.js`, "utf8");
    const customDataRules = `data_sources/mongodb-atlas/custom-user-data-database/custom-user-data/rules.json`;
    h = await startHarness(
      {
        sum: { source: "exports = function(a, b) { return a + b; };" },
        "utils/greet": {
          source: "exports = async (name) => { await null; return `hello ${name}`; };",
        },
        moduleStyle: { source: "module.exports = function () { return 'module.exports works'; };" },
        whoAmI: {
          source: `exports = function () {
            return {
              id: context.user.id,
              color: context.user.custom_data.favoriteColor,
              ip: context.request.remoteIPAddress,
              system: context.runningAsSystem(),
              greeting: context.values.get("greeting"),
              missing: context.values.get("nope") === undefined,
              environment: context.environment.tag,
              app: context.app.name,
            };
          };`,
        },
        secretHelper: { source: "exports = () => 'from a private function';", private: true },
        callsPrivate: {
          source: "exports = async () => context.functions.execute('secretHelper');",
        },
        callsSum: {
          source: "exports = async (x) => context.functions.execute('utils/greet', 'n' + x);",
        },
        reportContext: { source: "exports = () => [context.user.id, context.runningAsSystem()];" },
        systemCaller: {
          source: "exports = async () => context.functions.execute('reportContext');",
          run_as_system: true,
        },
        userCaller: {
          source:
            "exports = async () => [await context.functions.execute('reportContext'), await context.functions.execute('systemCaller')];",
        },
        adminsOnly: {
          source: "exports = () => 'admitted';",
          can_evaluate: { "%%user.custom_data.favoriteColor": "teal" },
        },
        argChecked: {
          source: "exports = (n) => n * 2;",
          can_evaluate: { "%%args.0": { $lt: 10 } },
        },
        writeCustomUserData: { source: seedFunction, run_as_system: true },
        readCustomUserDataAsUser: {
          source: `exports = async () => context.services.get("mongodb-atlas").db("custom-user-data-database")
            .collection("custom-user-data").find({}).toArray();`,
        },
        writeCustomUserDataAsUser: { source: seedFunction },
        asFixedUser: { source: "exports = () => context.user.id;", run_as_user_id: BOB.id },
        asScriptedUser: {
          source: "exports = () => [context.user.id, context.runningAsSystem()];",
          run_as_user_id_script_source: `exports = function () { return "${BOB.id}"; };`,
        },
        thrower: {
          source:
            "exports = function () { console.log('about to fail'); throw new Error('the widget is broken'); };",
        },
        rejecter: {
          source:
            "exports = async function () { await null; throw new TypeError('async failure'); };",
        },
        callsThrower: {
          source:
            "exports = async () => { try { await context.functions.execute('thrower'); } catch (e) { return 'caught: ' + e.message; } };",
        },
        chatty: {
          source:
            "exports = function () { console.log('one', 2, { three: 3 }); console.warn('four'); console.error(new Error('five').message); return null; };",
        },
        recursive: {
          source: "exports = async (n) => context.functions.execute('recursive', n + 1);",
        },
        noExport: { source: "function helper() { return 1; }" },
        broken: { source: "exports = function (a) {\n  return a +;\n};" },
        unknownService: { source: "exports = () => context.services.get('other-service');" },
      },
      {
        files: {
          "values/greeting.json": { name: "greeting", value: "hi there" },
          "environments/no-environment.json": { values: {} },
          [customDataRules]: await readFile(`${CARS_APP_DIR}/${customDataRules}`, "utf8"),
        },
        service: {
          log: (entry) => logged.push(entry),
          lookupUser: async (id) => (id === BOB.id ? BOB : undefined),
        },
      },
    );
  });

  afterAll(async () => {
    await h.close();
  });

  it("calls a function with its arguments and returns its result", async () => {
    expect(await h.service.callFromClient("sum", [2, 3], ALICE, REQUEST)).toEqual({
      result: 5,
      logs: [],
    });
    expect(await h.service.execute("utils/greet", ["ada"], ALICE)).toBe("hello ada");
    expect(await h.service.execute("moduleStyle", [], ALICE)).toBe("module.exports works");
  });

  it("gives the function the context of its call", async () => {
    const { result } = await h.service.callFromClient("whoAmI", [], ALICE, REQUEST);
    expect(result).toEqual({
      id: ALICE.id,
      color: "teal",
      ip: "203.0.113.7",
      system: false,
      greeting: "hi there",
      missing: true,
      environment: "",
      app: "minimal",
    });
  });

  it("hides private functions from clients but lets other functions call them", async () => {
    const error = await rejection(h.service.callFromClient("secretHelper", [], ALICE, REQUEST));
    expect(error.code).toBe("FunctionNotFound");
    expect(error.message).toBe("function not found: 'secretHelper'");
    expect(await h.service.callFromClient("callsPrivate", [], ALICE, REQUEST)).toEqual({
      result: "from a private function",
      logs: [],
    });
    expect(await h.service.execute("secretHelper", [], SYSTEM_USER, { asSystem: true })).toBe(
      "from a private function",
    );
  });

  it("answers FunctionNotFound for a name no function has", async () => {
    const error = await rejection(h.service.callFromClient("nope", [], ALICE, REQUEST));
    expect(error.code).toBe("FunctionNotFound");
    expect(error.httpStatus).toBe(404);
  });

  it("runs nested functions in the caller's context", async () => {
    expect(await h.service.execute("callsSum", [1], ALICE)).toBe("hello n1");
  });

  it("runs what a system function calls in system context, still as the calling user", async () => {
    expect(await h.service.execute("userCaller", [], ALICE)).toEqual([
      [ALICE.id, false],
      [ALICE.id, true],
    ]);
    expect(await h.service.execute("reportContext", [], SYSTEM_USER)).toEqual(["", true]);
  });

  it("enforces can_evaluate with %%user and %%args", async () => {
    expect((await h.service.callFromClient("adminsOnly", [], ALICE, REQUEST)).result).toBe(
      "admitted",
    );
    const denied = await rejection(h.service.callFromClient("adminsOnly", [], BOB, REQUEST));
    expect(denied.code).toBe("FunctionExecutionError");
    expect(denied.message).toBe('rule not matched for function "adminsOnly"');
    expect((await h.service.callFromClient("argChecked", [4], BOB, REQUEST)).result).toBe(8);
    expect(
      (await rejection(h.service.callFromClient("argChecked", [40], BOB, REQUEST))).message,
    ).toContain("rule not matched");
  });

  it("runs the seeds' writeCustomUserData as system and returns the upsert result", async () => {
    const { result } = await h.service.callFromClient(
      "writeCustomUserData",
      [{ userId: ALICE.id, favoriteFood: "pizza", lastUpdated: 1700000000000 }],
      ALICE,
      REQUEST,
    );
    expect(result).toMatchObject({ matchedCount: 0, modifiedCount: 0 });
    expect((result as { upsertedId: unknown }).upsertedId).toBeInstanceOf(ObjectId);
    const stored = await h.data
      .system()
      .db("custom-user-data-database")
      .collection("custom-user-data")
      .findOne({ userId: ALICE.id });
    expect(stored).toMatchObject({
      userId: ALICE.id,
      favoriteFood: "pizza",
      lastUpdated: 1700000000000,
    });

    const again = await h.service.callFromClient(
      "writeCustomUserData",
      [{ favoriteFood: "soup" }],
      ALICE,
      REQUEST,
    );
    expect(again.result).toEqual({ matchedCount: 1, modifiedCount: 1 });
  });

  it("applies the caller's rules to functions that run as the user", async () => {
    const { result } = await h.service.callFromClient("readCustomUserDataAsUser", [], BOB, REQUEST);
    expect(result).toEqual([]);
    const mine = await h.service.callFromClient("readCustomUserDataAsUser", [], ALICE, REQUEST);
    expect(mine.result).toEqual([
      expect.objectContaining({ userId: ALICE.id, favoriteFood: "soup" }),
    ]);
    const denied = await rejection(
      h.service.callFromClient(
        "writeCustomUserDataAsUser",
        [{ favoriteFood: "cake" }],
        BOB,
        REQUEST,
      ),
    );
    expect(denied.code).toBe("FunctionExecutionError");
  });

  it("runs as the configured user for run_as_user_id and its script form", async () => {
    expect((await h.service.callFromClient("asFixedUser", [], ALICE, REQUEST)).result).toBe(BOB.id);
    expect((await h.service.callFromClient("asScriptedUser", [], ALICE, REQUEST)).result).toEqual([
      BOB.id,
      false,
    ]);
  });

  it("reports a thrown error's message with the console lines printed before it", async () => {
    const error = await rejection(h.service.callFromClient("thrower", [], ALICE, REQUEST));
    expect(error.code).toBe("FunctionExecutionError");
    expect(error.message).toBe("the widget is broken");
    expect(error.details?.logs).toEqual(["about to fail"]);
    expect((await rejection(h.service.execute("rejecter", [], ALICE))).message).toBe(
      "async failure",
    );
    expect(await h.service.execute("callsThrower", [], ALICE)).toBe("caught: the widget is broken");
  });

  it("captures console output as log lines", async () => {
    const { logs } = await h.service.callFromClient("chatty", [], ALICE, REQUEST);
    expect(logs).toEqual(['one 2 {"three":3}', "four", "five"]);
  });

  it("logs internal calls with their outcome", async () => {
    logged.length = 0;
    await h.service.execute("sum", [1, 1], ALICE);
    await h.service.execute("thrower", [], SYSTEM_USER, { asSystem: true }).catch(() => undefined);
    expect(logged.map((entry) => [entry.type, entry.outcome, entry.message, entry.userId])).toEqual(
      [
        ["function", "ok", "function sum", ALICE.id],
        ["function", "error", "function thrower: the widget is broken", undefined],
      ],
    );
    expect(logged[1]?.logs).toEqual(["about to fail"]);
  });

  it("bounds the depth of nested calls", async () => {
    const error = await rejection(h.service.execute("recursive", [0], ALICE));
    expect(error.code).toBe("FunctionExecutionError");
    expect(error.message).toContain("nest deeper than 32 levels");
  });

  it("names the file and line of a syntax error, and a source that exports nothing", async () => {
    const error = await rejection(h.service.execute("broken", [1], ALICE));
    expect(error.code).toBe("FunctionSyntaxError");
    expect(error.message).toBe(
      "SyntaxError in functions/broken.js, line 2, column 13: Unexpected token ';'",
    );
    expect((await rejection(h.service.execute("broken", [1], ALICE))).message).toBe(error.message);
    const empty = await rejection(h.service.execute("noExport", [], ALICE));
    expect(empty.code).toBe("FunctionSyntaxError");
    expect(empty.message).toContain("functions/noExport.js");
  });

  it("reports every source that does not compile, without running any", async () => {
    const errors = await h.service.checkSources();
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      [
        "FunctionSyntaxError",
        "SyntaxError in functions/broken.js, line 2, column 13: Unexpected token ';'",
      ],
    ]);
  });

  it("rejects services the app does not have", async () => {
    expect((await rejection(h.service.execute("unknownService", [], ALICE))).message).toBe(
      "service not found: 'other-service'",
    );
  });
});

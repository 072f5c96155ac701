/**
 * Function code that tries to hang, exhaust, escape or poison the server. Each attempt must
 * fail with a clear error and leave the service answering the next call normally.
 */
import { AppError } from "@atoll/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REQUEST, startHarness, userNamed } from "./test-support/functionsHarness.js";
import type { Harness } from "./test-support/functionsHarness.js";

const USER = userNamed("64b7f0c2a1b2c3d4e5f60009");

const HOSTILE: Readonly<Record<string, string>> = {
  endlessLoop: "exports = function () { while (true) {} };",
  endlessLoopAfterAwait:
    "exports = async function () { await context.functions.execute('ok'); while (true) {} };",
  endlessMicrotasks: "exports = async function () { for (;;) await null; };",
  endlessHostCalls:
    "exports = async function () { for (;;) await context.services.get('mongodb-atlas').db('d').collection('c').count({}); };",
  neverSettles: "exports = () => new Promise(() => {});",
  atomicsWait: "exports = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);",
  wasmLoop:
    "exports = () => new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array([0,97,115,109,1,0,0,0,1,4,1,96,0,0,3,2,1,0,7,5,1,1,102,0,0,10,9,1,7,0,3,64,12,0,11,11]))).exports.f();",
  deepRecursion: "exports = () => { const down = (n) => down(n + 1) + 1; return down(0); };",
  dynamicImport: "exports = async () => (await import('fs')).readFileSync('/etc/passwd', 'utf8');",
  memoryBomb:
    "exports = function () { const hoard = []; for (;;) hoard.push(new Array(100000).fill(Math.random())); };",
  stringBomb: "exports = function () { let s = 'x'; for (;;) s += s; };",
  allocationBomb: "exports = function () { return new Array(2 ** 32 - 1).fill(0).length; };",
  finalizer: "exports = function () { return typeof FinalizationRegistry; };",
  requireFs: "exports = function () { return require('fs').readFileSync('/etc/passwd', 'utf8'); };",
  processExit: "exports = function () { process.exit(1); };",
  constructorEscape:
    "exports = function () { return this.constructor.constructor('return process')().env; };",
  functionEscape: "exports = function () { return Function('return this')().process.mainModule; };",
  pollute:
    "exports = function () { Object.prototype.polluted = 'yes'; Array.prototype.map = () => 'hijacked'; JSON.parse = () => 'hijacked'; return ({}).polluted; };",
  readPollution:
    "exports = function () { return [({}).polluted === undefined, [1].map((x) => x + 1), JSON.parse('1')]; };",
  protoPayload:
    'exports = function () { return JSON.parse(\'{"__proto__": {"isAdmin": true}, "name": "x"}\'); };',
  hugeResult: "exports = function () { return 'x'.repeat(2 * 1024 * 1024); };",
  hugeHostPayload:
    "exports = async function () { await context.services.get('mongodb-atlas').db('d').collection('c').insertOne({ blob: 'x'.repeat(17 * 1024 * 1024) }); };",
  throwString: "exports = function () { throw 'plain string'; };",
  throwObject: "exports = function () { throw { code: 42, reason: 'object' }; };",
  throwNull: "exports = function () { throw null; };",
  throwHostileError:
    "exports = function () { const e = new Error('x'); Object.defineProperty(e, 'message', { get() { throw new Error('gotcha'); } }); throw e; };",
  strayTimer:
    "exports = function () { setTimeout(() => { while (true) {} }, 50); return 'returned before the timer'; };",
  strayQuery:
    "exports = function () { context.services.get('mongodb-atlas').db('d').collection('c').count({}).then(() => { while (true) {} }); return 'returned before the query'; };",
  consoleFlood:
    "exports = function () { for (let i = 0; i < 100000; i++) console.log('line', i); return 'done'; };",
  internalDb:
    "exports = async function () { return context.services.get('mongodb-atlas').db('__atoll').collection('users').find({}); };",
  ok: "exports = function () { return 'still serving'; };",
};

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("hostile function code", () => {
  let h: Harness;

  beforeAll(async () => {
    const functions = Object.fromEntries(
      Object.entries(HOSTILE).map(([name, source]) => [name, { source, run_as_system: true }]),
    );
    h = await startHarness(functions, {
      service: { timeoutMs: 1500, memoryLimitMb: 64, maxIsolates: 4, maxResultChars: 1024 * 1024 },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  const call = (name: string) => h.service.callFromClient(name, [], USER, REQUEST);
  const stillServing = async () => expect((await call("ok")).result).toBe("still serving");

  it.each([
    "endlessLoop",
    "endlessLoopAfterAwait",
    "endlessMicrotasks",
    "endlessHostCalls",
    "neverSettles",
    "atomicsWait",
    "wasmLoop",
  ])("stops %s at the time limit and keeps serving", async (name) => {
    const error = await failure(call(name));
    expect(error.code).toBe("ExecutionTimeLimitExceeded");
    expect(error.message).toBe(
      `execution time limit exceeded: function '${name}' ran longer than 1500 ms and was stopped`,
    );
    await stillServing();
  });

  it.each(["memoryBomb", "stringBomb"])(
    "stops %s at the memory limit and keeps serving",
    async (name) => {
      const error = await failure(call(name));
      expect(error.code).toBe("FunctionExecutionError");
      expect(error.message).toMatch(/out of memory|Invalid string length|allocation failed/);
      await stillServing();
    },
  );

  it("survives one allocation too large for the heap (V8 would end the process) and keeps serving", async () => {
    const error = await failure(call("allocationBomb"));
    expect(["ExecutionTimeLimitExceeded", "FunctionExecutionError"]).toContain(error.code);
    expect(error.message).toMatch(/time limit|out of memory/);
    await stillServing();
  });

  it("offers no FinalizationRegistry, whose callbacks could run during a later call", async () => {
    expect((await call("finalizer")).result).toBe("undefined");
  });

  it.each([
    ["requireFs", "cannot require('fs'): Node built-in modules are not available in the sandbox"],
    ["processExit", "process is not defined"],
    ["constructorEscape", "process is not defined"],
    ["functionEscape", "Cannot read properties of undefined (reading 'mainModule')"],
    ["dynamicImport", "Not supported"],
    ["deepRecursion", "Maximum call stack size exceeded"],
  ])("gives %s no way to the host", async (name, message) => {
    const error = await failure(call(name));
    expect(error.code).toBe("FunctionExecutionError");
    expect(error.message).toBe(message);
    await stillServing();
  });

  it("keeps prototype pollution inside the call that made it", async () => {
    expect((await call("pollute")).result).toBe("yes");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await call("readPollution")).result).toEqual([true, [2], 1]);
  });

  it("never lets a __proto__ key in a result change the host's objects", async () => {
    const { result } = await call("protoPayload");
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("isAdmin");
    expect((result as Record<string, unknown>).name).toBe("x");
  });

  it("refuses results and payloads above the size limits", async () => {
    const big = await failure(call("hugeResult"));
    expect(big.code).toBe("FunctionExecutionError");
    expect(big.message).toMatch(
      /^the return value is too large: \d+ characters of Extended JSON, the limit is 1048576$/,
    );
    const payload = await failure(call("hugeHostPayload"));
    expect(payload.message).toMatch(/^the data passed out of the function is too large/);
    await stillServing();
  });

  it.each([
    ["throwString", "plain string"],
    ["throwObject", '{"code":42,"reason":"object"}'],
    ["throwNull", "null"],
    ["throwHostileError", "the function threw a value that cannot be printed"],
  ])("reports %s as an execution error", async (name, message) => {
    const error = await failure(call(name));
    expect(error.code).toBe("FunctionExecutionError");
    expect(error.message).toBe(message);
  });

  it.each(["strayTimer", "strayQuery"])(
    "does not let %s left running disturb later calls",
    async (name) => {
      expect((await call(name)).result).toMatch(/^returned before/);
      const later = await Promise.all([call("ok"), call("ok"), call("ok"), call("ok"), call("ok")]);
      expect(later.map((r) => r.result)).toEqual(Array(5).fill("still serving"));
    },
  );

  it("caps console output", async () => {
    const { result, logs } = await call("consoleFlood");
    expect(result).toBe("done");
    expect(logs).toHaveLength(1001);
    expect(logs.at(-1)).toMatch(/^… console output truncated/);
  });

  it("keeps the server's own databases out of reach, even of system functions", async () => {
    const error = await failure(call("internalDb"));
    expect(error.message).toBe(
      "database '__atoll' is reserved for the server and cannot be used from functions",
    );
  });

  it("serves well-behaved calls while another call is stuck in a loop", async () => {
    const stuck = failure(call("endlessLoop"));
    const quick = await Promise.all([call("ok"), call("ok")]);
    expect(quick.map((r) => r.result)).toEqual(["still serving", "still serving"]);
    expect((await stuck).code).toBe("ExecutionTimeLimitExceeded");
  });
});

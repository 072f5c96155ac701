/**
 * Calling functions as a user on a copy of examples/cars with two more functions: values of
 * every BSON type the SDK hands out go there and back unchanged, and failures are AppErrors.
 */
import { Decimal128, Long, ObjectId } from "bson";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { copyCarsApp } from "../../../server/src/config/test-support/appFixture.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectionOf, useApps } from "../test-support/appClients.js";
import { startAppServer } from "../test-support/appServer.js";
import type { TestAppServer } from "../test-support/appServer.js";
import type { App } from "./App.js";
import { AppError } from "./AppError.js";
import { Credentials } from "./Credentials.js";
import type { User } from "./User.js";

const EXTRA_FUNCTIONS: Readonly<Record<string, string>> = {
  echo: "exports = function (...args) { return args; };",
  fail: 'exports = function () { throw new Error("the function failed on purpose"); };',
};

let server: TestAppServer;
let removeApp: () => Promise<void>;
const newApp = useApps();
let app: App;
let user: User;

beforeAll(async () => {
  const copy = await copyCarsApp();
  removeApp = copy.remove;
  const configFile = join(copy.dir, "functions", "config.json");
  const config = JSON.parse(await readFile(configFile, "utf8")) as Record<string, unknown>[];
  for (const [name, source] of Object.entries(EXTRA_FUNCTIONS)) {
    await writeFile(join(copy.dir, "functions", `${name}.js`), source);
    config.push({ name, private: false, run_as_system: false });
  }
  await writeFile(configFile, JSON.stringify(config));
  server = await startAppServer({ appDir: copy.dir });
  app = newApp(server);
  user = await app.logIn(Credentials.anonymous());
});
afterAll(async () => {
  await server.stop();
  await removeApp();
});

describe("user.functions", () => {
  it("sends and receives BSON values with their types", async () => {
    const values = [
      new ObjectId(),
      new Date("2025-01-02T03:04:05.678Z"),
      Long.fromString("9007199254740993"),
      Decimal128.fromString("0.1000000000000000000000000000000001"),
      { nested: { list: [1, 2.5, "three", null, true] } },
      -0.5,
      42,
    ];
    const echoed = await user.functions.echo!(...values);
    expect(echoed).toEqual(values);
    const [id, date, long, decimal] = echoed as unknown[];
    expect(id).toBeInstanceOf(ObjectId);
    expect(date).toBeInstanceOf(Date);
    expect(long).toBeInstanceOf(Long);
    expect(String(long)).toBe("9007199254740993");
    expect(decimal).toBeInstanceOf(Decimal128);
    expect(String(decimal)).toBe("0.1000000000000000000000000000000001");
  });

  it("calls by name through call, callFunction and the proxy alike", async () => {
    expect(await user.functions.call("echo", "a", 1)).toEqual(["a", 1]);
    expect(await user.callFunction("echo", { b: 2 })).toEqual([{ b: 2 }]);
    expect(await user.functions.echo!()).toEqual([]);
    // The proxy is no thenable: awaiting it yields the proxy itself.
    expect(await Promise.resolve(user.functions)).toBe(user.functions);
  });

  it("rejects unknown and failing functions with the server's error code", async () => {
    const missing = await rejectionOf(user.functions.noSuchFunction!());
    expect(missing).toBeInstanceOf(AppError);
    expect(missing).toMatchObject({ statusCode: 404, errorCode: "FunctionNotFound" });
    const failing = await rejectionOf(user.functions.fail!());
    expect(failing).toMatchObject({ errorCode: "FunctionExecutionError" });
    expect((failing as AppError).message).toContain("the function failed on purpose");
  });
});

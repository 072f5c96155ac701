/**
 * `require` in functions, through the real sandbox and HTTP: a pure-JS CommonJS package the
 * operator installed under the app's functions/node_modules loads with its own files, JSON
 * and dependencies; a package functions/package.json does not list, a Node built-in, a native
 * addon and a path outside node_modules are refused with the reason.
 */
import { describe, expect, it } from "vitest";
import { useAnonymousCaller } from "./test-support/anonymousCaller.js";

const MODULES = "functions/node_modules";

const APP = {
  "functions/package.json": {
    name: "functions",
    dependencies: { "tiny-slug": "1.0.0", addon: "1.0.0" },
  },
  [`${MODULES}/tiny-slug/package.json`]: { name: "tiny-slug", main: "lib/index.js" },
  [`${MODULES}/tiny-slug/lib/index.js`]: `const lower = require("tiny-case").lower;
const { separator } = require("./settings.json");
module.exports = (text) => lower(text).trim().split(/\\s+/).join(separator);`,
  [`${MODULES}/tiny-slug/lib/settings.json`]: { separator: "-" },
  [`${MODULES}/tiny-case/package.json`]: {
    name: "tiny-case",
    exports: { ".": { require: "./case.cjs", import: "./case.mjs" } },
  },
  [`${MODULES}/tiny-case/case.cjs`]: `exports.lower = (text) => String(text).toLowerCase();`,
  [`${MODULES}/addon/package.json`]: { name: "addon", main: "build/addon.node" },
  [`${MODULES}/addon/build/addon.node`]: "not really a binary",
  "functions/config.json": [{ name: "slugify" }, { name: "tryRequire" }],
  "functions/slugify.js": `exports = function (text) { return require("tiny-slug")(text); };`,
  "functions/tryRequire.js": `exports = function (name) {
  try { require(name); return "loaded"; } catch (error) { return error.message; }
};`,
};

const caller = useAnonymousCaller(APP);

async function call(name: string, args: unknown[]): Promise<unknown> {
  const answer = await caller.call(name, args);
  expect(answer).toEqual({ status: 200, body: expect.anything() as unknown });
  return answer.body;
}

describe("require in functions", () => {
  it("loads an installed CommonJS package with its files, JSON and dependencies", async () => {
    expect(await call("slugify", ["  Hello Sandbox World "])).toBe("hello-sandbox-world");
  });

  it("refuses what it cannot load, saying why", async () => {
    expect(await call("tryRequire", ["tiny-case"])).toContain(
      "not a dependency in functions/package.json",
    );
    expect(await call("tryRequire", ["fs"])).toContain("Node built-in modules are not available");
    expect(await call("tryRequire", ["addon"])).toContain(
      "native addons cannot run in the sandbox",
    );
    expect(await call("tryRequire", ["./config.json"])).toContain("npm packages only");
    expect(await call("tryRequire", ["tiny-slug/../../config.json"])).toContain(
      "outside functions/node_modules",
    );
  });
});

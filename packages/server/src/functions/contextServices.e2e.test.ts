/**
 * `context.services.get(name)` through the real sandbox for every data source of an export,
 * whatever its type, each under its own rules for a user; an unknown name throws.
 */
import { describe, expect, it } from "vitest";
import { useAnonymousCaller } from "./test-support/anonymousCaller.js";

const READ_ONLY = {
  roles: [{ name: "readOnly", apply_when: {}, read: true, write: false, insert: false }],
};

const APP = {
  "data_sources/mongodb-atlas/default_rule.json": {
    roles: [{ name: "all", apply_when: {}, read: true, write: true, insert: true, delete: true }],
  },
  "data_sources/analytics/config.json": {
    name: "analytics",
    type: "datalake",
    config: { dataLakeName: "Lake0" },
  },
  "data_sources/analytics/default_rule.json": READ_ONLY,
  "functions/config.json": [{ name: "writeThrough" }],
  "functions/writeThrough.js": `exports = async function (service) {
  try {
    await context.services.get(service).db("shop").collection("orders").insertOne({ n: 1 });
    return "written";
  } catch (error) { return error.message; }
};`,
};

const caller = useAnonymousCaller(APP);

async function writeThrough(service: string): Promise<unknown> {
  return (await caller.call("writeThrough", [service])).body;
}

describe("context.services.get", () => {
  it("reaches every data source by name, each under its own rules, and no other", async () => {
    expect(await writeThrough("mongodb-atlas")).toBe("written");
    expect(await writeThrough("analytics")).toBe(
      `role "readOnly" does not allow insert of this document in shop.orders`,
    );
    expect(await writeThrough("nowhere")).toBe("service not found: 'nowhere'");
  });
});

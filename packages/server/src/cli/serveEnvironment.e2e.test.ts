/**
 * `atoll serve` as a child process on an export with environments, values and parts Atoll
 * does not serve: `--environment` picks whose `environments/<name>.json` values the rules'
 * `%%environment.values` see (over root_config.json's `environment`), `%%values` narrows
 * reads too, and the ignored directories are named in one warning with a pointer to the docs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeApp } from "../config/test-support/appFixture.js";
import { CliProcess } from "./test-support/cliProcess.js";

const LISTENING = /^Atoll listening on (http:\/\/[^ ]+) \(app ([^)]+)\)$/;

const APP = {
  "root_config.json": { name: "regions", environment: "development" },
  "auth/providers.json": { "anon-user": { name: "anon-user", type: "anon-user", disabled: false } },
  "values/visibleTier.json": { name: "visibleTier", value: "public", from_secret: false },
  "environments/development.json": { values: { region: "dev" } },
  "environments/production.json": { values: { region: "prod" } },
  "data_sources/mongodb-atlas/config.json": {
    name: "mongodb-atlas",
    type: "mongodb-atlas",
    config: {},
  },
  "data_sources/mongodb-atlas/shop/Item/rules.json": {
    database: "shop",
    collection: "Item",
    roles: [
      {
        name: "regionReader",
        apply_when: {},
        document_filters: {
          read: { region: "%%environment.values.region", tier: "%%values.visibleTier" },
          write: false,
        },
        read: true,
        write: false,
      },
    ],
  },
  "functions/config.json": [{ name: "seed", run_as_system: true }],
  "functions/seed.js": `exports = async function () {
  await context.services.get("mongodb-atlas").db("shop").collection("Item").insertMany([
    { name: "dev-public", region: "dev", tier: "public" },
    { name: "prod-public", region: "prod", tier: "public" },
    { name: "prod-secret", region: "prod", tier: "secret" },
  ]);
};`,
  "graphql/custom_resolvers/byName.json": { field_name: "byName", on_type: "Query" },
  "hosting/config.json": { enabled: true },
};

let app: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  app = await writeApp(APP, {});
});
afterAll(async () => {
  await app?.remove();
});

async function namesReadBy(args: string[]): Promise<{ names: unknown[]; stderr: string }> {
  const cli = new CliProcess([
    "serve",
    "--port",
    "0",
    "--log-level",
    "warn",
    "--storage",
    "memory",
    "--app",
    app.dir,
    ...args,
  ]);
  let names: unknown[] = [];
  let failure: Error | undefined;
  try {
    const [, url = "", appId = ""] = LISTENING.exec(await cli.waitForLine(LISTENING)) ?? [];
    const api = `${url}/api/client/v2.0/app/${appId}`;
    const login = (await (
      await fetch(`${api}/auth/providers/anon-user/login`, { method: "POST", body: "{}" })
    ).json()) as { access_token: string };
    const call = async (body: unknown) => {
      const response = await fetch(`${api}/functions/call`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${login.access_token}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      return await response.json();
    };
    await call({ name: "seed", arguments: [] });
    const items = (await call({
      service: "mongodb-atlas",
      name: "find",
      arguments: [{ database: "shop", collection: "Item", query: {} }],
    })) as { name: unknown }[];
    names = items.map((item) => item.name);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  }
  // Read once the process has ended, so that everything it wrote has arrived.
  const { stderr } = await cli.signal("SIGTERM");
  if (failure !== undefined) throw failure;
  return { names, stderr };
}

describe("atoll serve --environment", () => {
  it("reads through rules whose %%environment and %%values come from the chosen environment, and names the ignored parts of the export in one warning", async () => {
    const development = await namesReadBy([]);
    expect(development.names).toEqual(["dev-public"]);
    expect((await namesReadBy(["--environment", "production"])).names).toEqual(["prod-public"]);
    const warnings = development.stderr
      .split("\n")
      .filter((line) => line.includes("not supported"));
    expect(warnings).toEqual([
      "atoll: warning: not supported, ignored: graphql/ (the GraphQL API), hosting/ (static hosting); see docs/migration-from-atlas.md for what Atoll serves of an export",
    ]);
  });
});

import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadAppConfig } from "./loadAppConfig.js";
import { CARS_APP_DIR, writeApp } from "./test-support/appFixture.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function load(files: Record<string, unknown>, env: Record<string, string> = {}) {
  const app = await writeApp(files);
  cleanups.push(app.remove);
  return loadAppConfig(app.dir, { env });
}

describe("loadAppConfig on examples/cars", () => {
  it("serves the seeds' app: Car with the owner-read-write role verbatim, flexible sync on miles and ownerId", async () => {
    const config = await loadAppConfig(CARS_APP_DIR);
    expect(config.appId).toBe("cars");
    expect(config.dir).toBe(path.resolve(CARS_APP_DIR));
    const car = config.dataSources.get("mongodb-atlas")?.collections.get("cars-db.Car");
    expect(car?.rules?.roles).toEqual([
      {
        name: "owner-read-write",
        apply_when: {},
        document_filters: { read: { ownerId: "%%user.id" }, write: { ownerId: "%%user.id" } },
        read: true,
        write: true,
      },
    ]);
    expect(car?.schema?.["properties"]).toEqual({
      _id: { bsonType: "objectId" },
      ownerId: { bsonType: "string" },
      make: { bsonType: "string" },
      model: { bsonType: "string" },
      miles: { bsonType: "int" },
    });
    expect(car?.schema?.["required"]).toEqual(["_id", "ownerId", "make"]);
    expect(config.sync).toMatchObject({
      type: "flexible",
      databaseName: "cars-db",
      queryableFieldsNames: ["miles", "ownerId"],
      asymmetricTables: ["SensorReading"],
    });
    expect(config.dataSources.get("mongodb-atlas")?.collections.has("cars-db.SensorReading")).toBe(
      true,
    );
  });

  it("has custom user data keyed by userId, the seeds' function, and the three sign-in providers", async () => {
    const config = await loadAppConfig(CARS_APP_DIR);
    expect(config.customUserData).toEqual({
      mongoServiceName: "mongodb-atlas",
      databaseName: "custom-user-data-database",
      collectionName: "custom-user-data",
      userIdField: "userId",
      onUserCreationFunctionName: undefined,
    });
    const fn = config.functions.get("writeCustomUserData");
    expect(fn?.file).toBe("functions/writeCustomUserData.js");
    expect(fn?.source).toContain(
      "exports = async function writeCustomUserData(newCustomUserData) {",
    );
    expect(fn?.source).toContain(
      "await customUserDataCollection.updateOne(filter, update, options);",
    );
    expect([...config.authProviders.keys()].sort()).toEqual([
      "anon-user",
      "api-key",
      "local-userpass",
    ]);
    expect(config.authProviders.get("local-userpass")?.config["autoConfirm"]).toBe(true);
  });

  it("keeps sync/config.json whole in raw, unknown keys included", async () => {
    const config = await loadAppConfig(CARS_APP_DIR);
    const onDisk = JSON.parse(await readFile(path.join(CARS_APP_DIR, "sync/config.json"), "utf8"));
    expect(config.sync.raw).toEqual(onDisk);
  });
});

describe("loadAppConfig on other exports", () => {
  it("takes the app id from app_id, else .mdb/meta.json client_app_id, else the name", async () => {
    expect((await load({ "root_config.json": { name: "todo", app_id: "todo-abcde" } })).appId).toBe(
      "todo-abcde",
    );
    expect(
      (
        await load({
          "root_config.json": { name: "todo" },
          ".mdb/meta.json": { client_app_id: "todo-xyz", config_version: 20210101 },
        })
      ).appId,
    ).toBe("todo-xyz");
    expect((await load({ "root_config.json": { name: "todo" } })).appId).toBe("todo");
  });

  it("reads realm_config.json and stitch.json from older exports", async () => {
    const realmCli = await load({
      "root_config.json": null,
      "realm_config.json": { config_version: 20210101, app_id: "old-app", name: "Old" },
    });
    expect(realmCli).toMatchObject({ appId: "old-app", name: "Old" });
    const stitch = await load({
      "root_config.json": null,
      "stitch.json": {
        app_id: "stitch-app",
        name: "S",
        allowed_request_origins: ["https://a.example"],
      },
    });
    expect(stitch.allowedRequestOrigins).toEqual(["https://a.example"]);
  });

  it("finds nested functions and gives functions missing from the manifest default settings", async () => {
    const config = await load({
      "functions/config.json": [
        { name: "utils/add", private: true, can_evaluate: { "%%user.type": "normal" } },
      ],
      "functions/utils/add.js": "exports = (a, b) => a + b;",
      "functions/hello.js": "exports = function () { return 'hi'; };",
    });
    expect(config.functions.get("utils/add")).toMatchObject({
      private: true,
      file: "functions/utils/add.js",
      can_evaluate: { "%%user.type": "normal" },
    });
    expect(config.functions.get("hello")).toMatchObject({
      source: "exports = function () { return 'hi'; };",
      private: false,
      run_as_system: false,
      run_as_user_id: "",
      can_evaluate: {},
      disable_arg_logs: false,
    });
  });

  it("loads functions in the Stitch layout (functions/<name>/config.json + source.js)", async () => {
    const config = await load({
      "functions/greet/config.json": { name: "greet", private: true },
      "functions/greet/source.js": "exports = () => 'hello';",
    });
    expect(config.functions.get("greet")).toMatchObject({
      private: true,
      source: "exports = () => 'hello';",
    });
  });

  it("resolves from_secret values and provider secrets from secrets.json, the environment winning", async () => {
    const config = await load(
      {
        "values/apiKey.json": { name: "apiKey", value: "thirdPartyKey", from_secret: true },
        "values/greeting.json": { name: "greeting", value: { text: "hello" }, from_secret: false },
        "secrets.json": { thirdPartyKey: "from-file", jwtKey: "file-jwt" },
        "auth/providers.json": {
          "custom-token": {
            name: "custom-token",
            type: "custom-token",
            disabled: false,
            config: { signingAlgorithm: "HS256" },
            secret_config: { signingKeys: ["jwtKey"] },
            metadata_fields: [{ required: true, name: "name", field_name: "name" }],
          },
        },
      },
      { ATOLL_SECRET_THIRDPARTYKEY: "from-env" },
    );
    expect(config.values.get("apiKey")).toBe("from-env");
    expect(config.values.get("greeting")).toEqual({ text: "hello" });
    const provider = config.authProviders.get("custom-token");
    expect(provider?.secretConfig).toEqual({ signingKeys: ["file-jwt"] });
    expect(provider?.metadataFields).toEqual([
      { required: true, name: "name", field_name: "name" },
    ]);
  });

  it("starts without an OAuth provider's client secret, which only refused flows use, but not without another provider's secret", async () => {
    const google = {
      name: "oauth2-google",
      type: "oauth2-google",
      config: { clientId: "1234.apps.googleusercontent.com" },
      secret_config: { clientSecret: "googleClientSecret" },
    };
    const config = await load({ "auth/providers.json": { "oauth2-google": google } });
    expect(config.authProviders.get("oauth2-google")?.secretConfig).toEqual({
      clientSecret: undefined,
    });
    const customToken = {
      name: "custom-token",
      type: "custom-token",
      config: { signingAlgorithm: "HS256" },
      secret_config: { signingKeys: ["jwtKey"] },
    };
    await expect(load({ "auth/providers.json": { "custom-token": customToken } })).rejects.toThrow(
      /secret "jwtKey" is not set/,
    );
  });

  it("exposes the values of the environment root_config.json names", async () => {
    const config = await load({
      "root_config.json": { name: "envs", environment: "production" },
      "environments/production.json": { values: { baseUrl: "https://prod.example" } },
      "environments/development.json": { values: { baseUrl: "https://dev.example" } },
    });
    expect(config.environment).toBe("production");
    expect(config.environmentValues).toEqual({ baseUrl: "https://prod.example" });
  });

  it("migrates pre-2023 sync permissions into default and per-collection roles", async () => {
    const config = await load({
      "sync/config.json": {
        type: "flexible",
        state: "enabled",
        service_name: "mongodb-atlas",
        database_name: "todo",
        queryable_fields_names: ["owner_id"],
        permissions: {
          rules: {
            Task: [
              {
                name: "owner",
                applyWhen: {},
                read: { owner_id: "%%user.id" },
                write: { owner_id: "%%user.id" },
              },
            ],
          },
          defaultRoles: [{ name: "reader", applyWhen: {}, read: true, write: false }],
        },
      },
    });
    const source = config.dataSources.get("mongodb-atlas");
    expect(source?.defaultRule?.roles).toEqual([
      {
        name: "reader",
        apply_when: {},
        document_filters: { read: true, write: false },
        read: true,
        write: true,
      },
    ]);
    expect(source?.collections.get("todo.Task")?.rules?.roles[0]).toEqual({
      name: "owner",
      apply_when: {},
      document_filters: {
        read: { "%or": [{ owner_id: "%%user.id" }, { owner_id: "%%user.id" }] },
        write: { owner_id: "%%user.id" },
      },
      read: true,
      write: true,
    });
  });

  it("treats an app without sync/config.json as sync disabled, and a schema.json of {} as no schema", async () => {
    const config = await load({ "data_sources/mongodb-atlas/db/coll/schema.json": {} });
    expect(config.sync.type).toBe("disabled");
    expect(
      config.dataSources.get("mongodb-atlas")?.collections.get("db.coll")?.schema,
    ).toBeUndefined();
  });

  it("names the parts of the export Atoll ignores in one sentence, so start-up can say so", async () => {
    const config = await load({
      "graphql/config.json": { use_natural_pluralization: true },
      "https_endpoints/config.json": [],
      "https_endpoints/data_api_config.json": { disabled: false, versions: ["v1"] },
      "hosting/config.json": { enabled: false },
      "log_forwarders/toS3.json": { name: "toS3", log_types: ["function"] },
      "functions/package.json": { dependencies: { axios: "1.3.6" } },
      "sync/config.json": { type: "partition", state: "enabled" },
      "auth/providers.json": {
        "anon-user": { name: "anon-user", type: "anon-user" },
        "oauth2-google": { name: "oauth2-google", type: "oauth2-google", disabled: false },
        "oauth2-apple": { name: "oauth2-apple", type: "oauth2-apple", disabled: true },
      },
    });
    expect(config.unsupported).toEqual([
      "functions/package.json: axios not installed under functions/node_modules; require() of it will fail until npm install runs in the app's functions/ directory",
      "sync/config.json: partition-based sync is not supported; only flexible sync is served",
      "not supported, ignored: log_forwarders/ (log forwarding), https_endpoints/data_api_config.json (the Data API); see docs/migration-from-atlas.md for what Atoll serves of an export",
    ]);
    expect((await loadAppConfig(CARS_APP_DIR)).unsupported).toEqual([]);
  });

  it("takes a collection's namespace from its rules.json when its directory is named otherwise", async () => {
    const config = await load({
      "data_sources/mongodb-atlas/shop/Store/rules.json": {
        collection: "Stores",
        database: "shop",
        roles: [{ name: "all", apply_when: {}, read: true, write: true }],
      },
      "data_sources/mongodb-atlas/shop/Store/schema.json": {
        title: "Store",
        bsonType: "object",
        properties: { _id: { bsonType: "string" } },
      },
    });
    const collections = config.dataSources.get("mongodb-atlas")?.collections;
    expect([...(collections?.keys() ?? [])]).toEqual(["shop.Stores"]);
    expect(collections?.get("shop.Stores")).toMatchObject({
      database: "shop",
      collection: "Stores",
    });
  });

  it('reads bsonType "boolean" (as App Services\' own template apps export it) as "bool"', async () => {
    const config = await load({
      "data_sources/mongodb-atlas/todo/Item/schema.json": {
        bsonType: "object",
        title: "Item",
        required: ["_id", "isComplete"],
        properties: {
          _id: { bsonType: "objectId" },
          isComplete: { bsonType: "boolean" },
          flags: { bsonType: "array", items: { bsonType: ["boolean", "null"] } },
        },
      },
    });
    const item = config.dataSources.get("mongodb-atlas")?.collections.get("todo.Item");
    expect(item?.schema?.["properties"]).toEqual({
      _id: { bsonType: "objectId" },
      isComplete: { bsonType: "bool" },
      flags: { bsonType: "array", items: { bsonType: ["bool", "null"] } },
    });
  });

  it("loads a realm-cli export made by development mode: float and embedded-object schemas, empty legacy permissions", async () => {
    const config = await load({
      "root_config.json": null,
      "realm_config.json": {
        config_version: 20210101,
        name: "Metrics",
        location: "IE",
        provider_region: "aws-eu-west-1",
        deployment_model: "GLOBAL",
      },
      "sync/config.json": {
        type: "flexible",
        state: "enabled",
        development_mode_enabled: true,
        service_name: "mongodb-atlas",
        database_name: "Metrics",
        permissions: { rules: {}, defaultRoles: [] },
        collection_queryable_fields_names: { Reading: ["deviceId"] },
        asymmetric_tables: ["Reading"],
      },
      "data_sources/mongodb-atlas/Metrics/Reading/schema.json": {
        title: "Reading",
        type: "object",
        required: ["_id", "value"],
        properties: {
          _id: { bsonType: "objectId" },
          deviceId: { bsonType: "string" },
          value: { bsonType: "float" },
          samples: { bsonType: "array", items: { bsonType: "float" } },
          device: {
            title: "Device",
            type: "object",
            required: ["model"],
            properties: { model: { bsonType: "string" } },
          },
        },
      },
      "data_sources/mongodb-atlas/Metrics/Reading/rules.json": {
        collection: "Reading",
        database: "Metrics",
        roles: [
          {
            name: "all",
            apply_when: {},
            document_filters: { read: true, write: true },
            read: true,
            write: true,
            insert: true,
            delete: true,
            search: true,
          },
        ],
      },
    });
    expect(config.appId).toBe("Metrics");
    expect(config.sync).toMatchObject({
      developmentModeEnabled: true,
      collectionQueryableFieldsNames: { Reading: ["deviceId"] },
      asymmetricTables: ["Reading"],
    });
    const reading = config.dataSources.get("mongodb-atlas")?.collections.get("Metrics.Reading");
    expect(reading?.rules?.roles[0]?.name).toBe("all");
    expect(reading?.schema?.["title"]).toBe("Reading");
    expect(config.dataSources.get("mongodb-atlas")?.defaultRule).toBeUndefined();
  });
});

import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "./ConfigError.js";
import { lineAndColumn, parseJson } from "./jsonFile.js";
import { loadAppConfig } from "./loadAppConfig.js";
import { writeApp } from "./test-support/appFixture.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function loadError(files: Record<string, unknown>): Promise<ConfigError> {
  const app = await writeApp(files);
  cleanups.push(app.remove);
  const error: unknown = await loadAppConfig(app.dir, { env: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const CAR_SCHEMA = {
  title: "Car",
  bsonType: "object",
  properties: { _id: { bsonType: "objectId" }, ownerId: { bsonType: "string" } },
};

describe("config errors name the file and the field", () => {
  it("bad JSON: the file with line and column", async () => {
    const error = await loadError({
      "auth/providers.json": '{\n  "anon-user": {\n    "type": "anon-user",\n  }\n}',
    });
    expect(error).toMatchObject({
      file: "auth/providers.json",
      line: 4,
      column: 3,
      code: "ConfigError",
    });
    expect(error.message).toMatch(/^auth\/providers\.json:4:3: invalid JSON: /);
  });

  it("unknown provider type", async () => {
    const error = await loadError({
      "auth/providers.json": { google: { name: "google", type: "oauth2-goggle" } },
    });
    expect(error).toMatchObject({ file: "auth/providers.json", field: "google.type" });
    expect(error.message).toContain('unknown auth provider type "oauth2-goggle"');
  });

  it("a role with a key App Services does not have (applyWhen instead of apply_when)", async () => {
    const error = await loadError({
      "data_sources/mongodb-atlas/db/Car/rules.json": {
        roles: [{ name: "r", applyWhen: {}, read: true }],
      },
    });
    expect(error).toMatchObject({
      file: "data_sources/mongodb-atlas/db/Car/rules.json",
      field: "roles[0]",
    });
    expect(error.message).toContain('unknown key "applyWhen"');
  });

  it("a role expression that is neither a boolean nor an object", async () => {
    const error = await loadError({
      "data_sources/mongodb-atlas/default_rule.json": {
        roles: [{ name: "r", apply_when: {}, read: "yes" }],
      },
    });
    expect(error).toMatchObject({
      file: "data_sources/mongodb-atlas/default_rule.json",
      field: "roles[0].read",
    });
  });

  it("a rule referencing a field schema.json does not define", async () => {
    const error = await loadError({
      "data_sources/mongodb-atlas/db/Car/schema.json": CAR_SCHEMA,
      "data_sources/mongodb-atlas/db/Car/rules.json": {
        roles: [
          {
            name: "owner",
            apply_when: {},
            document_filters: { read: { ownerID: "%%user.id" }, write: false },
          },
        ],
      },
    });
    expect(error).toMatchObject({
      file: "data_sources/mongodb-atlas/db/Car/rules.json",
      field: "roles[0].document_filters.read",
    });
    expect(error.message).toContain('"ownerID"');
  });

  it("a field permission on a field schema.json does not define", async () => {
    const error = await loadError({
      "data_sources/mongodb-atlas/db/Car/schema.json": CAR_SCHEMA,
      "data_sources/mongodb-atlas/db/Car/rules.json": {
        roles: [{ name: "r", apply_when: {}, fields: { colour: { read: true } } }],
      },
    });
    expect(error.field).toBe("roles[0].fields.colour");
  });

  it("a misspelt expansion", async () => {
    const error = await loadError({
      "data_sources/mongodb-atlas/db/Car/rules.json": {
        roles: [
          {
            name: "r",
            apply_when: {},
            document_filters: { read: { ownerId: "%%usr.id" }, write: false },
          },
        ],
      },
    });
    expect(error.field).toBe("roles[0].document_filters.read.ownerId");
    expect(error.message).toContain('unknown expansion "%%usr.id"');
  });

  it("a function file missing", async () => {
    const error = await loadError({ "functions/config.json": [{ name: "sum" }] });
    expect(error).toMatchObject({ file: "functions/config.json", field: "[0].name" });
    expect(error.message).toContain("functions/sum.js");
  });

  it("a schema.json that is not an object schema", async () => {
    const error = await loadError({
      "data_sources/mongodb-atlas/db/Car/schema.json": { bsonType: "string" },
    });
    expect(error).toMatchObject({
      file: "data_sources/mongodb-atlas/db/Car/schema.json",
      field: "bsonType",
    });
  });

  it("a schema.json property with an unknown bsonType", async () => {
    const error = await loadError({
      "data_sources/mongodb-atlas/db/Car/schema.json": {
        bsonType: "object",
        properties: { miles: { bsonType: "integer" } },
      },
    });
    expect(error.field).toBe("properties.miles.bsonType");
  });

  it("a sync queryable field list that is not a string array", async () => {
    const error = await loadError({
      "sync/config.json": { type: "flexible", queryable_fields_names: "ownerId" },
    });
    expect(error).toMatchObject({ file: "sync/config.json", field: "queryable_fields_names" });
    expect(error.message).toContain("array of field names");
    const nested = await loadError({
      "sync/config.json": { type: "flexible", collection_queryable_fields_names: { Car: [1] } },
    });
    expect(nested.field).toBe("collection_queryable_fields_names.Car[0]");
  });

  it("an indexed queryable field that is not a global queryable field", async () => {
    const error = await loadError({
      "sync/config.json": {
        type: "flexible",
        queryable_fields_names: ["a"],
        indexed_queryable_fields_names: ["b"],
      },
    });
    expect(error.field).toBe("indexed_queryable_fields_names[0]");
  });

  it("a secret that is not set, with how to set it", async () => {
    const error = await loadError({
      "values/key.json": { name: "key", value: "stripeKey", from_secret: true },
    });
    expect(error).toMatchObject({ file: "values/key.json", field: "value" });
    expect(error.message).toContain("ATOLL_SECRET_STRIPEKEY");
  });

  it("a custom-function provider whose function does not exist", async () => {
    const error = await loadError({
      "auth/providers.json": {
        "custom-function": {
          name: "custom-function",
          type: "custom-function",
          config: { authFunctionName: "auth" },
        },
      },
    });
    expect(error).toMatchObject({
      file: "auth/providers.json",
      field: "custom-function.config.authFunctionName",
    });
  });

  it("custom user data on a data source that does not exist", async () => {
    const error = await loadError({
      "auth/custom_user_data.json": {
        enabled: true,
        mongo_service_name: "atlas",
        database_name: "d",
        collection_name: "c",
        user_id_field: "u",
      },
    });
    expect(error).toMatchObject({
      file: "auth/custom_user_data.json",
      field: "mongo_service_name",
    });
  });

  it("custom user data without its user id field", async () => {
    const error = await loadError({
      "auth/custom_user_data.json": {
        enabled: true,
        mongo_service_name: "mongodb-atlas",
        database_name: "d",
        collection_name: "c",
      },
    });
    expect(error).toMatchObject({ file: "auth/custom_user_data.json", field: "user_id_field" });
    expect(error.message).toContain("is required");
  });

  it("a rule calling a function that does not exist through %function", async () => {
    const error = await loadError({
      "data_sources/mongodb-atlas/db/c/rules.json": {
        roles: [{ name: "r", apply_when: { "%%true": { "%function": { name: "isAdmin" } } } }],
      },
    });
    expect(error).toMatchObject({
      file: "data_sources/mongodb-atlas/db/c/rules.json",
      field: "roles[0]",
    });
    expect(error.message).toContain('"isAdmin"');
  });

  it("two directories whose rules.json name the same collection", async () => {
    const error = await loadError({
      "data_sources/mongodb-atlas/db/Car/rules.json": {
        collection: "Cars",
        database: "db",
        roles: [],
      },
      "data_sources/mongodb-atlas/db/Cars/rules.json": {
        collection: "Cars",
        database: "db",
        roles: [],
      },
    });
    expect(error.field).toBe("collection");
    expect(error.message).toContain("db.Cars is configured twice");
  });

  it("a directory that is not an app export", async () => {
    const error = await loadError({ "root_config.json": null });
    expect(error.file).toBe("root_config.json");
    expect(error.message).toContain("App Services app export");
  });

  it("an environment App Services does not have", async () => {
    const error = await loadError({ "root_config.json": { name: "a", environment: "staging" } });
    expect(error).toMatchObject({ file: "root_config.json", field: "environment" });
  });
});

describe("JSON positions", () => {
  it("line and column point at the character at the offset, for any text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "\n", " ", "{") }),
        fc.nat(),
        (text, n) => {
          const offset = text.length === 0 ? 0 : n % text.length;
          const { line, column } = lineAndColumn(text, offset);
          const lines = text.split("\n");
          const rebuilt =
            lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0) + column - 1;
          expect(rebuilt).toBe(offset);
        },
      ),
    );
  });

  it("any truncated JSON document fails with a ConfigError inside the text, never a crash", () => {
    fc.assert(
      fc.property(fc.json({ depthSize: "small" }), fc.nat(), (json, cut) => {
        const text = JSON.stringify(JSON.parse(json), null, 2);
        const truncated = text.slice(0, cut % Math.max(text.length, 1));
        let parsed: unknown;
        try {
          parsed = parseJson(truncated, "f.json");
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          const { line = 0 } = error as ConfigError;
          expect(line).toBeGreaterThanOrEqual(1);
          expect(line).toBeLessThanOrEqual(truncated.split("\n").length);
          return;
        }
        // Only a prefix that is itself a document (a number cut short) may parse.
        expect(JSON.stringify(parsed)).toBe(JSON.stringify(JSON.parse(truncated)));
      }),
    );
  });
});

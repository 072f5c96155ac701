import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "./ConfigError.js";
import { loadAppConfig } from "./loadAppConfig.js";
import { MINIMAL_APP, writeApp } from "./test-support/appFixture.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const APP = {
  ...MINIMAL_APP,
  "functions/config.json": [{ name: "onChange" }],
  "functions/onChange.js": "exports = function (event) {};",
};

async function load(files: Record<string, unknown>) {
  const app = await writeApp(files, APP);
  cleanups.push(app.remove);
  return loadAppConfig(app.dir, { env: {} });
}

async function loadError(files: Record<string, unknown>): Promise<ConfigError> {
  const error: unknown = await load(files).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const DATABASE_TRIGGER = {
  name: "onNewCar",
  type: "DATABASE",
  disabled: false,
  config: {
    service_name: "mongodb-atlas",
    database: "cars-db",
    collection: "Car",
    operation_types: ["INSERT", "UPDATE"],
    match: { "fullDocument.make": "Volvo" },
    project: { fullDocument: 1 },
    full_document: true,
    full_document_before_change: true,
    unordered: true,
    skip_catchup_events: false,
    tolerate_resume_errors: false,
    maximum_throughput: false,
  },
  event_processors: { FUNCTION: { config: { function_name: "onChange" } } },
};

describe("triggers/*.json", () => {
  it("loads database, scheduled and authentication triggers as an export writes them", async () => {
    const config = await load({
      "triggers/onNewCar.json": DATABASE_TRIGGER,
      "triggers/nightly.json": {
        name: "nightly",
        type: "SCHEDULED",
        config: { schedule: "0 3 * * *", skip_catchup_events: true },
        function_name: "onChange",
      },
      "triggers/onSignUp.json": {
        name: "onSignUp",
        type: "AUTHENTICATION",
        disabled: true,
        config: { operation_type: "CREATE", providers: ["anon-user", "local-userpass"] },
        event_processors: { FUNCTION: { config: { function_name: "onChange" } } },
      },
    });
    expect(config.triggers?.get("onNewCar")).toEqual({
      name: "onNewCar",
      file: "triggers/onNewCar.json",
      type: "DATABASE",
      disabled: false,
      functionName: "onChange",
      serviceName: "mongodb-atlas",
      database: "cars-db",
      collection: "Car",
      operationTypes: ["INSERT", "UPDATE"],
      match: { "fullDocument.make": "Volvo" },
      project: { fullDocument: 1 },
      fullDocument: true,
      fullDocumentBeforeChange: true,
      unordered: true,
      skipCatchupEvents: false,
    });
    expect(config.triggers?.get("nightly")).toMatchObject({
      type: "SCHEDULED",
      schedule: "0 3 * * *",
      skipCatchupEvents: true,
      functionName: "onChange",
    });
    expect(config.triggers?.get("onSignUp")).toMatchObject({
      type: "AUTHENTICATION",
      disabled: true,
      operationType: "CREATE",
      providers: ["anon-user", "local-userpass"],
    });
    expect(config.unsupported).toEqual([]);
  });

  it("refuses a trigger whose function does not exist, naming the file and the field", async () => {
    const error = await loadError({
      "triggers/onNewCar.json": {
        ...DATABASE_TRIGGER,
        event_processors: { FUNCTION: { config: { function_name: "onChnage" } } },
      },
    });
    expect(error).toMatchObject({
      file: "triggers/onNewCar.json",
      field: "event_processors.FUNCTION.config.function_name",
    });
    expect(error.message).toBe(
      'triggers/onNewCar.json: event_processors.FUNCTION.config.function_name: function "onChnage" does not exist (no functions/onChnage.js)',
    );
  });

  it("refuses a CRON expression that is not one of five valid fields", async () => {
    const scheduled = (schedule: string) => ({
      "triggers/nightly.json": {
        name: "nightly",
        type: "SCHEDULED",
        config: { schedule },
        function_name: "onChange",
      },
    });
    const outOfRange = await loadError(scheduled("61 * * * *"));
    expect(outOfRange.message).toMatch(
      /^triggers\/nightly\.json: config\.schedule: "61 \* \* \* \*" is not a valid CRON expression \(.*minute.*\)$/,
    );
    const sixFields = await loadError(scheduled("0 0 3 * * *"));
    expect(sixFields.message).toContain("is not a CRON expression of five fields");
  });

  it("refuses unknown operation types and trigger types with what is known", async () => {
    const database = await loadError({
      "triggers/onNewCar.json": {
        ...DATABASE_TRIGGER,
        config: { ...DATABASE_TRIGGER.config, operation_types: ["INSERT", "UPSERT"] },
      },
    });
    expect(database.message).toBe(
      'triggers/onNewCar.json: config.operation_types[1]: unknown operation type "UPSERT" (known: INSERT, UPDATE, REPLACE, DELETE)',
    );
    const auth = await loadError({
      "triggers/onLogin.json": {
        type: "AUTHENTICATION",
        config: { operation_type: "LOGOUT", providers: ["anon-user"] },
        function_name: "onChange",
      },
    });
    expect(auth.message).toBe(
      'triggers/onLogin.json: config.operation_type: unknown operation type "LOGOUT" (known: CREATE, LOGIN, DELETE)',
    );
    const type = await loadError({ "triggers/x.json": { ...DATABASE_TRIGGER, type: "DATABSE" } });
    expect(type.message).toBe(
      'triggers/x.json: type: unknown trigger type "DATABSE" (known: DATABASE, SCHEDULED, AUTHENTICATION)',
    );
  });

  it("refuses a database trigger on a data source the export does not have", async () => {
    const error = await loadError({
      "triggers/onNewCar.json": {
        ...DATABASE_TRIGGER,
        config: { ...DATABASE_TRIGGER.config, service_name: "mongodb-atlas-2" },
      },
    });
    expect(error).toMatchObject({ file: "triggers/onNewCar.json", field: "config.service_name" });
  });
});

/**
 * In-memory app configs and data layers for data and rules tests: real SQLite (in memory),
 * real rules, no files. `users` builds the caller contexts rules see.
 */
import type { UserContext } from "../../callerContext.js";
import type { AppConfig, CollectionConfig, CollectionSchema, RuleSet } from "../../config/types.js";
import { openStorage } from "../../storage/openStorage.js";
import { DataLayer } from "../DataLayer.js";

export interface TestAppSpec {
  readonly collections?: Readonly<Record<string, { rules?: RuleSet; schema?: CollectionSchema }>>;
  readonly defaultRule?: RuleSet;
  readonly values?: Readonly<Record<string, unknown>>;
  readonly environment?: string;
  readonly environmentValues?: Readonly<Record<string, unknown>>;
}

export function testAppConfig(spec: TestAppSpec = {}): AppConfig {
  const collections = new Map<string, CollectionConfig>();
  for (const [namespace, collection] of Object.entries(spec.collections ?? {})) {
    const dot = namespace.indexOf(".");
    collections.set(namespace, {
      database: namespace.slice(0, dot),
      collection: namespace.slice(dot + 1),
      ...collection,
    });
  }
  return {
    dir: "/nonexistent",
    appId: "test-app",
    name: "test-app",
    environment: spec.environment ?? "",
    allowedRequestOrigins: [],
    authProviders: new Map(),
    functions: new Map(),
    dataSources: new Map([
      [
        "mongodb-atlas",
        {
          name: "mongodb-atlas",
          type: "mongodb-atlas",
          config: {},
          ...(spec.defaultRule === undefined ? {} : { defaultRule: spec.defaultRule }),
          collections,
        },
      ],
    ]),
    sync: {
      type: "disabled",
      state: "",
      developmentModeEnabled: false,
      serviceName: "mongodb-atlas",
      databaseName: "",
      queryableFieldsNames: [],
      indexedQueryableFieldsNames: [],
      collectionQueryableFieldsNames: {},
      asymmetricTables: [],
      isRecoveryModeDisabled: false,
      raw: {},
    },
    values: new Map(Object.entries(spec.values ?? {})),
    environmentValues: spec.environmentValues ?? {},
  };
}

export async function testDataLayer(spec: TestAppSpec = {}): Promise<DataLayer> {
  return new DataLayer(await openStorage("memory"), testAppConfig(spec));
}

export function testUser(id: string, extra: Partial<Omit<UserContext, "id">> = {}): UserContext {
  return {
    id,
    type: "normal",
    data: {},
    custom_data: {},
    identities: [{ id: `anon-${id}`, provider_type: "anon-user" }],
    ...extra,
  };
}

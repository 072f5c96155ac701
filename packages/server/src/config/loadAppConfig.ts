import path from "node:path";
import { loadAuthProviders, loadCustomUserData } from "./auth.js";
import { ConfigError } from "./ConfigError.js";
import { checkCrossReferences } from "./crossReferences.js";
import { loadDataSources } from "./dataSources.js";
import { loadEndpoints } from "./endpoints.js";
import { loadFunctions } from "./functions.js";
import { AppFiles } from "./jsonFile.js";
import { loadRootConfig } from "./rootConfig.js";
import { loadSecrets } from "./secrets.js";
import { loadTriggers } from "./triggers.js";
import { findUnsupportedFeatures } from "./unsupportedFeatures.js";
import { loadSync, SYNC_FILE, type LegacySyncPermissions } from "./sync.js";
import type { AppConfig, CollectionConfig, DataSourceConfig } from "./types.js";
import { loadEnvironmentValues, loadValues } from "./values.js";

export interface LoadAppConfigOptions {
  /** Where `ATOLL_SECRET_*` variables are read from; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The environment whose `environments/<name>.json` values apply, over root_config.json's
   * `environment` (`atoll serve --environment`).
   */
  readonly environment?: string;
}

/**
 * Loads an App Services app export as `appservices pull` (or realm-cli / Stitch) wrote it.
 * Every problem stops the load with a `ConfigError` naming the file and the field; nothing
 * is half-loaded. The directory is only read, never written.
 */
export async function loadAppConfig(
  dir: string,
  options: LoadAppConfigOptions = {},
): Promise<AppConfig> {
  const files = new AppFiles(path.resolve(dir));
  const root = await loadRootConfig(files, options.environment);
  const secrets = await loadSecrets(files, options.env ?? process.env);
  const functions = await loadFunctions(files);
  const { sync, legacy } = await loadSync(files);
  const dataSources = withLegacySyncRules(
    await loadDataSources(files),
    sync.serviceName,
    sync.databaseName,
    legacy,
  );
  const authProviders = await loadAuthProviders(files, secrets);
  const config: AppConfig = {
    dir: files.dir,
    appId: root.appId,
    name: root.name,
    environment: root.environment,
    allowedRequestOrigins: root.allowedRequestOrigins,
    authProviders,
    customUserData: await loadCustomUserData(files),
    functions,
    dataSources,
    sync,
    endpoints: await loadEndpoints(files, secrets),
    values: await loadValues(files, secrets),
    environmentValues: await loadEnvironmentValues(files, root.environment),
    unsupported: await findUnsupportedFeatures(files, sync),
    triggers: await loadTriggers(files, { functions, dataSources }),
  };
  checkCrossReferences(config);
  return config;
}

/**
 * Pre-2023 exports kept sync roles in sync/config.json. They apply where the data source
 * has no rules of its own; rules files, when present, are the newer truth.
 */
function withLegacySyncRules(
  sources: Map<string, DataSourceConfig>,
  serviceName: string,
  databaseName: string,
  legacy: LegacySyncPermissions | undefined,
): Map<string, DataSourceConfig> {
  if (legacy === undefined) return sources;
  const source = sources.get(serviceName);
  if (source === undefined) {
    throw new ConfigError(
      SYNC_FILE,
      "service_name",
      `sync permissions need the data source ${JSON.stringify(serviceName)}, which does not exist`,
    );
  }
  if (legacy.collectionRules.size > 0 && databaseName === "") {
    throw new ConfigError(
      SYNC_FILE,
      "database_name",
      "is required to apply the per-collection sync permissions",
    );
  }
  const collections = new Map<string, CollectionConfig>(source.collections);
  for (const [collection, rules] of legacy.collectionRules) {
    const key = `${databaseName}.${collection}`;
    const existing = collections.get(key);
    if (existing?.rules === undefined) {
      collections.set(key, { ...(existing ?? { database: databaseName, collection }), rules });
    }
  }
  sources.set(serviceName, {
    ...source,
    defaultRule: source.defaultRule ?? legacy.defaultRule,
    collections,
  });
  return sources;
}

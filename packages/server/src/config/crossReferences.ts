import { ConfigError, fieldPath } from "./ConfigError.js";
import { CUSTOM_USER_DATA_FILE, PROVIDERS_FILE } from "./auth.js";
import { ENDPOINT_FILES } from "./endpoints.js";
import { functionsCalledBy } from "./ruleExpression.js";
import { SYNC_FILE } from "./sync.js";
import type { AppConfig, RuleSet } from "./types.js";

/**
 * Checks that what one file names exists in another: the functions auth providers, custom
 * user data and rules call, and the data sources custom user data and sync use. Each of
 * these would otherwise fail only when a user first hits it.
 */
export function checkCrossReferences(config: AppConfig): void {
  const needFunction = (name: string | undefined, file: string, field: string): void => {
    if (name !== undefined && name !== "" && !config.functions.has(name)) {
      throw new ConfigError(
        file,
        field,
        `function ${JSON.stringify(name)} does not exist (no functions/${name}.js)`,
      );
    }
  };
  const needService = (name: string, file: string, field: string): void => {
    if (!config.dataSources.has(name)) {
      throw new ConfigError(
        file,
        field,
        `data source ${JSON.stringify(name)} does not exist (no data_sources/*/config.json names it)`,
      );
    }
  };

  for (const [key, provider] of config.authProviders) {
    if (provider.disabled) continue;
    const option = (name: string): string | undefined => {
      const value = provider.config[name];
      return typeof value === "string" ? value : undefined;
    };
    if (provider.type === "custom-function") {
      const name = option("authFunctionName");
      if (name === undefined)
        throw new ConfigError(
          PROVIDERS_FILE,
          fieldPath([key, "config", "authFunctionName"]),
          "is required for custom-function authentication",
        );
      needFunction(name, PROVIDERS_FILE, fieldPath([key, "config", "authFunctionName"]));
    }
    if (provider.type === "local-userpass") {
      if (provider.config["runConfirmationFunction"] === true) {
        needFunction(
          option("confirmationFunctionName") ?? "",
          PROVIDERS_FILE,
          fieldPath([key, "config", "confirmationFunctionName"]),
        );
      }
      if (provider.config["runResetFunction"] === true) {
        needFunction(
          option("resetFunctionName") ?? "",
          PROVIDERS_FILE,
          fieldPath([key, "config", "resetFunctionName"]),
        );
      }
    }
  }

  const customUserData = config.customUserData;
  if (customUserData !== undefined) {
    needService(customUserData.mongoServiceName, CUSTOM_USER_DATA_FILE, "mongo_service_name");
    needFunction(
      customUserData.onUserCreationFunctionName,
      CUSTOM_USER_DATA_FILE,
      "on_user_creation_function_name",
    );
  }

  if (config.sync.type !== "disabled" && config.sync.serviceName !== "") {
    needService(config.sync.serviceName, SYNC_FILE, "service_name");
  }

  for (const [index, endpoint] of (config.endpoints ?? []).entries()) {
    needFunction(endpoint.functionName, ENDPOINT_FILES[0], fieldPath([index, "function_name"]));
  }

  for (const fn of config.functions.values()) {
    for (const name of functionsCalledBy(fn.can_evaluate))
      needFunction(name, "functions/config.json", `${fn.name}.can_evaluate`);
  }
  for (const source of config.dataSources.values()) {
    const base = `data_sources/${source.name}`;
    checkRuleFunctions(source.defaultRule, `${base}/default_rule.json`, needFunction);
    for (const coll of source.collections.values()) {
      checkRuleFunctions(
        coll.rules,
        `${base}/${coll.database}/${coll.collection}/rules.json`,
        needFunction,
      );
    }
  }
}

function checkRuleFunctions(
  rules: RuleSet | undefined,
  file: string,
  needFunction: (name: string, file: string, field: string) => void,
): void {
  for (const [index, role] of (rules?.roles ?? []).entries()) {
    for (const name of functionsCalledBy(role))
      needFunction(name, file, fieldPath(["roles", index]));
  }
  for (const [index, filter] of (rules?.filters ?? []).entries()) {
    for (const name of functionsCalledBy(filter))
      needFunction(name, file, fieldPath(["filters", index]));
  }
}

import { z } from "zod";
import { ConfigError, fieldPath } from "./ConfigError.js";
import type { AppFiles } from "./jsonFile.js";
import { parseConfig } from "./parseConfig.js";
import { SecretStore } from "./secrets.js";
import type { EndpointConfig } from "./types.js";

/** Where exports keep their endpoints: App Services CLI, then realm-cli's older name. */
export const ENDPOINT_FILES = [
  "https_endpoints/config.json",
  "http_endpoints/config.json",
] as const;

const endpointSchema = z
  .object({
    route: z.string().regex(/^\/[^?#]*$/, "must start with / and hold no query"),
    http_method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "*"]),
    function_name: z.string().min(1),
    validation_method: z
      .enum(["NO_VALIDATION", "SECRET_AS_QUERY_PARAM", "VERIFY_PAYLOAD"])
      .default("NO_VALIDATION"),
    secret_name: z.string().default(""),
    respond_result: z.boolean().default(false),
    fetch_custom_user_data: z.boolean().default(false),
    create_user_on_auth: z.boolean().default(false),
    disabled: z.boolean().default(false),
  })
  .passthrough();

/**
 * `https_endpoints/config.json` (or `http_endpoints/config.json`): an array of endpoints. A
 * validating endpoint's `secret_name` is resolved here, so a missing secret stops start-up
 * instead of refusing every request; a disabled endpoint needs none.
 */
export async function loadEndpoints(
  files: AppFiles,
  secrets: SecretStore,
): Promise<EndpointConfig[]> {
  for (const file of ENDPOINT_FILES) {
    const value = await files.readJson(file);
    if (value === undefined) continue;
    const entries = parseConfig(z.array(endpointSchema), value, file);
    const seen = new Set<string>();
    return entries.map((entry, index) => {
      const key = `${entry.http_method} ${entry.route}`;
      if (seen.has(key))
        throw new ConfigError(file, fieldPath([index, "route"]), `${key} is defined twice`);
      seen.add(key);
      return {
        route: entry.route,
        httpMethod: entry.http_method,
        functionName: entry.function_name,
        validationMethod: entry.validation_method,
        secret: resolveSecret(entry, file, index, secrets),
        respondResult: entry.respond_result,
        fetchCustomUserData: entry.fetch_custom_user_data,
        createUserOnAuth: entry.create_user_on_auth,
        disabled: entry.disabled,
      };
    });
  }
  return [];
}

function resolveSecret(
  entry: z.output<typeof endpointSchema>,
  file: string,
  index: number,
  secrets: SecretStore,
): string | undefined {
  if (entry.validation_method === "NO_VALIDATION" || entry.disabled) return undefined;
  if (entry.secret_name === "") {
    throw new ConfigError(
      file,
      fieldPath([index, "secret_name"]),
      `is required with validation_method ${entry.validation_method}`,
    );
  }
  const secret = secrets.get(entry.secret_name);
  if (secret === undefined) {
    throw new ConfigError(
      file,
      fieldPath([index, "secret_name"]),
      `secret ${JSON.stringify(entry.secret_name)} is not set: ${SecretStore.hint(entry.secret_name)}`,
    );
  }
  return secret;
}

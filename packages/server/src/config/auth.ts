import { z } from "zod";
import { ConfigError, fieldPath } from "./ConfigError.js";
import type { AppFiles } from "./jsonFile.js";
import { parseConfig } from "./parseConfig.js";
import { SecretStore } from "./secrets.js";
import type { AuthProviderConfig, CustomUserDataConfig } from "./types.js";

const PROVIDERS_FILE = "auth/providers.json";
const CUSTOM_USER_DATA_FILE = "auth/custom_user_data.json";

export const PROVIDER_TYPES = [
  "anon-user",
  "local-userpass",
  "api-key",
  "custom-token",
  "custom-function",
  "oauth2-google",
  "oauth2-facebook",
  "oauth2-apple",
] as const;

const providerSchema = z
  .object({
    name: z.string().min(1).optional(),
    type: z.enum(PROVIDER_TYPES, {
      errorMap: (issue, ctx) => ({
        message:
          issue.code === "invalid_enum_value"
            ? `unknown auth provider type ${JSON.stringify(issue.received)} (known: ${PROVIDER_TYPES.join(", ")})`
            : ctx.defaultError,
      }),
    }),
    disabled: z.boolean().default(false),
    config: z.record(z.unknown()).default({}),
    secret_config: z.record(z.union([z.string(), z.array(z.string())])).default({}),
    metadata_fields: z
      .array(
        z.object({
          required: z.boolean().default(false),
          name: z.string().min(1),
          field_name: z.string().optional(),
        }),
      )
      .default([]),
  })
  .passthrough();

/**
 * `auth/providers.json` (keyed by provider name), or the Stitch layout's
 * `auth_providers/<name>.json`. `secret_config` entries name secrets; they are resolved here
 * so that the auth code sees values. A missing secret stops start-up only for an enabled
 * provider: a disabled one cannot be used, so it needs none. Nor does an OAuth provider need
 * its `clientSecret`: it serves only the flows Atoll refuses (auth codes, access tokens), so an
 * export that names it starts without it.
 */
export async function loadAuthProviders(
  files: AppFiles,
  secrets: SecretStore,
): Promise<Map<string, AuthProviderConfig>> {
  const providers = new Map<string, AuthProviderConfig>();
  for (const { file, key, value } of await providerEntries(files)) {
    const at = key === undefined ? [] : [key];
    const parsed = parseConfig(providerSchema, value, file, at);
    const name = parsed.name ?? key ?? parsed.type;
    if (providers.has(name))
      throw new ConfigError(
        file,
        fieldPath([...at, "name"]),
        `provider ${JSON.stringify(name)} is defined twice`,
      );
    const secretConfig: Record<string, unknown> = {};
    for (const [option, secretNames] of Object.entries(parsed.secret_config)) {
      const resolved = [secretNames].flat().map((secretName) => {
        const secret = secrets.get(secretName);
        if (secret === undefined && !parsed.disabled && !isUnusedSecret(parsed.type, option)) {
          throw new ConfigError(
            file,
            fieldPath([...at, "secret_config", option]),
            `secret ${JSON.stringify(secretName)} is not set: ${SecretStore.hint(secretName)}`,
          );
        }
        return secret;
      });
      secretConfig[option] = Array.isArray(secretNames) ? resolved : resolved[0];
    }
    providers.set(name, {
      name,
      type: parsed.type,
      disabled: parsed.disabled,
      config: parsed.config,
      secretConfig,
      metadataFields: parsed.metadata_fields,
    });
  }
  return providers;
}

function isUnusedSecret(type: AuthProviderConfig["type"], option: string): boolean {
  return type.startsWith("oauth2-") && option === "clientSecret";
}

async function providerEntries(
  files: AppFiles,
): Promise<{ file: string; key?: string; value: unknown }[]> {
  const keyed = await files.readJson(PROVIDERS_FILE);
  if (keyed !== undefined) {
    const byName = parseConfig(z.record(z.unknown()), keyed, PROVIDERS_FILE);
    return Object.entries(byName).map(([key, value]) => ({ file: PROVIDERS_FILE, key, value }));
  }
  const legacy = await files.jsonFilesIn("auth_providers");
  return Promise.all(
    legacy.map(async (name) => ({
      file: `auth_providers/${name}`,
      value: await files.requireJson(`auth_providers/${name}`),
    })),
  );
}

const customUserDataSchema = z.discriminatedUnion("enabled", [
  z.object({ enabled: z.literal(false) }).passthrough(),
  z
    .object({
      enabled: z.literal(true),
      mongo_service_name: z.string().min(1),
      database_name: z.string().min(1),
      collection_name: z.string().min(1),
      user_id_field: z.string().min(1),
      on_user_creation_function_name: z.string().optional(),
    })
    .passthrough(),
]);

export async function loadCustomUserData(
  files: AppFiles,
): Promise<CustomUserDataConfig | undefined> {
  const value = await files.readJson(CUSTOM_USER_DATA_FILE);
  if (value === undefined) return undefined;
  const parsed = parseConfig(customUserDataSchema, value, CUSTOM_USER_DATA_FILE);
  if (!parsed.enabled) return undefined;
  return {
    mongoServiceName: parsed.mongo_service_name,
    databaseName: parsed.database_name,
    collectionName: parsed.collection_name,
    userIdField: parsed.user_id_field,
    onUserCreationFunctionName:
      parsed.on_user_creation_function_name === ""
        ? undefined
        : parsed.on_user_creation_function_name,
  };
}

export { CUSTOM_USER_DATA_FILE, PROVIDERS_FILE };

import { z } from "zod";
import { ConfigError } from "./ConfigError.js";
import type { AppFiles } from "./jsonFile.js";
import { parseConfig } from "./parseConfig.js";
import { SecretStore } from "./secrets.js";

const valueSchema = z
  .object({
    name: z.string().min(1).optional(),
    value: z.unknown(),
    from_secret: z.boolean().default(false),
  })
  .passthrough();

const environmentSchema = z.object({ values: z.record(z.unknown()).default({}) }).passthrough();

/** `values/*.json`, keyed by name; a `from_secret` value resolves to the secret it names. */
export async function loadValues(
  files: AppFiles,
  secrets: SecretStore,
): Promise<Map<string, unknown>> {
  const values = new Map<string, unknown>();
  for (const entry of await files.jsonFilesIn("values")) {
    const file = `values/${entry}`;
    const parsed = parseConfig(valueSchema, await files.requireJson(file), file);
    const name = parsed.name ?? entry.slice(0, -".json".length);
    if (!parsed.from_secret) {
      values.set(name, parsed.value);
      continue;
    }
    if (typeof parsed.value !== "string") {
      throw new ConfigError(
        file,
        "value",
        "a from_secret value must be the name of a secret (a string)",
      );
    }
    const secret = secrets.get(parsed.value);
    if (secret === undefined) {
      throw new ConfigError(
        file,
        "value",
        `secret ${JSON.stringify(parsed.value)} is not set: ${SecretStore.hint(parsed.value)}`,
      );
    }
    values.set(name, secret);
  }
  return values;
}

/**
 * `environments/<environment>.json` `values`, for the environment root_config.json names
 * (`no-environment.json` when it names none). A missing file means no values.
 */
export async function loadEnvironmentValues(
  files: AppFiles,
  environment: string,
): Promise<Record<string, unknown>> {
  const file = `environments/${environment === "" ? "no-environment" : environment}.json`;
  const value = await files.readJson(file);
  return value === undefined ? {} : parseConfig(environmentSchema, value, file).values;
}

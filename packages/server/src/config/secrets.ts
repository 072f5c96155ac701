import { z } from "zod";
import type { AppFiles } from "./jsonFile.js";
import { parseConfig } from "./parseConfig.js";

export const SECRETS_FILE = "secrets.json";

/**
 * Secrets are never part of an App Services export, so the operator supplies them: in the
 * environment as `ATOLL_SECRET_<NAME>` (the secret's name upper-cased, every character other
 * than a letter or digit replaced by `_`), or in an optional `secrets.json` beside
 * `root_config.json` mapping secret names to values. The environment wins, so a file kept for
 * development can be overridden in production.
 */
export class SecretStore {
  constructor(
    private readonly fromFile: Readonly<Record<string, string>>,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  get(name: string): string | undefined {
    return (
      this.env[secretEnvName(name)] ??
      (Object.hasOwn(this.fromFile, name) ? this.fromFile[name] : undefined)
    );
  }

  /** How to supply a missing secret, for error messages. */
  static hint(name: string): string {
    return `set the environment variable ${secretEnvName(name)} or add ${JSON.stringify(name)} to ${SECRETS_FILE}`;
  }
}

export function secretEnvName(name: string): string {
  return `ATOLL_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

export async function loadSecrets(
  files: AppFiles,
  env: Readonly<Record<string, string | undefined>>,
): Promise<SecretStore> {
  const value = await files.readJson(SECRETS_FILE);
  const fromFile =
    value === undefined ? {} : parseConfig(z.record(z.string()), value, SECRETS_FILE);
  return new SecretStore(fromFile, env);
}

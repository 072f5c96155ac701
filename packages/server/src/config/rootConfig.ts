import { z } from "zod";
import { ConfigError } from "./ConfigError.js";
import type { AppFiles } from "./jsonFile.js";
import { parseConfig } from "./parseConfig.js";

/** The app's own file, by the names successive exporters gave it (newest first). */
const ROOT_FILES = ["root_config.json", "realm_config.json", "config.json", "stitch.json"] as const;

export const ENVIRONMENTS = ["", "development", "testing", "qa", "production"] as const;

const rootSchema = z
  .object({
    app_id: z.string().min(1).optional(),
    client_app_id: z.string().min(1).optional(),
    name: z.string().min(1),
    environment: z.enum(ENVIRONMENTS).default(""),
    allowed_request_origins: z.array(z.string()).default([]),
  })
  .passthrough();

const metaSchema = z.object({ client_app_id: z.string().min(1).optional() }).passthrough();

export interface RootConfig {
  readonly file: string;
  readonly appId: string;
  readonly name: string;
  readonly environment: string;
  readonly allowedRequestOrigins: readonly string[];
}

/**
 * The app id clients put in their URLs: `app_id` (realm-cli exports) or `client_app_id`
 * when the root file has one, else the CLI's `.mdb/meta.json` `client_app_id` (what the
 * Atlas app was called, so clients keep working unchanged), else the app's name.
 * `environment`, when given, replaces the file's (the operator chose one at start).
 */
export async function loadRootConfig(files: AppFiles, environment?: string): Promise<RootConfig> {
  for (const file of ROOT_FILES) {
    const value = await files.readJson(file);
    if (value === undefined) continue;
    const root = parseConfig(rootSchema, value, file);
    const meta = await files.readJson(".mdb/meta.json");
    const metaAppId =
      meta === undefined
        ? undefined
        : parseConfig(metaSchema, meta, ".mdb/meta.json").client_app_id;
    return {
      file,
      appId: root.app_id ?? root.client_app_id ?? metaAppId ?? root.name,
      name: root.name,
      environment: environment ?? root.environment,
      allowedRequestOrigins: root.allowed_request_origins,
    };
  }
  throw new ConfigError(
    ROOT_FILES[0],
    "",
    `the app directory ${files.dir} has no ${ROOT_FILES.join(", ")}: is it an App Services app export?`,
  );
}

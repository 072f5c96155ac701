import type { AppFiles } from "./jsonFile.js";
import type { SyncConfig } from "./types.js";

/** Where the docs list every part of an export and what Atoll does with it. */
export const COVERAGE_DOC = "docs/migration-from-atlas.md";

/** Parts of an export Atoll does not serve, with what they were for. */
const IGNORED_DIRECTORIES: Readonly<Record<string, string>> = {
  graphql: "the GraphQL API",
  hosting: "static hosting",
  log_forwarders: "log forwarding",
  services: "third-party services",
};

/**
 * What the export asks for that Atoll will not do, one sentence each, so that `serve` can say
 * so at start-up instead of the app failing later in a way nobody connects to the export.
 * The directories it ignores are named together, in one sentence. Directories that exist but
 * hold no configuration (exports write empty ones) are not listed.
 */
export async function findUnsupportedFeatures(
  files: AppFiles,
  sync: SyncConfig,
): Promise<string[]> {
  const notes: string[] = [];
  const missing = await uninstalledDependencies(files);
  if (missing.length > 0) {
    notes.push(
      `functions/package.json: ${missing.join(", ")} not installed under functions/node_modules; require() of ${missing.length === 1 ? "it" : "them"} will fail until npm install runs in the app's functions/ directory`,
    );
  }
  if (sync.type === "partition") {
    notes.push(
      "sync/config.json: partition-based sync is not supported; only flexible sync is served",
    );
  }
  const ignored: string[] = [];
  for (const [dir, what] of Object.entries(IGNORED_DIRECTORIES)) {
    if (await holdsConfiguration(files, dir)) ignored.push(`${dir}/ (${what})`);
  }
  if (await dataApiEnabled(files))
    ignored.push("https_endpoints/data_api_config.json (the Data API)");
  if (ignored.length > 0) {
    notes.push(
      `not supported, ignored: ${ignored.join(", ")}; see ${COVERAGE_DOC} for what Atoll serves of an export`,
    );
  }
  return notes;
}

/** Packages functions/package.json lists that the operator has not installed. */
async function uninstalledDependencies(files: AppFiles): Promise<string[]> {
  const manifest = await files.readJson("functions/package.json");
  const dependencies = (manifest as { dependencies?: unknown } | undefined)?.dependencies;
  if (dependencies === null || typeof dependencies !== "object") return [];
  const missing: string[] = [];
  for (const name of Object.keys(dependencies)) {
    if ((await files.readText(`functions/node_modules/${name}/package.json`)) === undefined)
      missing.push(name);
  }
  return missing;
}

/** The Data API shares the endpoints' directory; its file exists, disabled, in most exports. */
async function dataApiEnabled(files: AppFiles): Promise<boolean> {
  for (const dir of ["https_endpoints", "http_endpoints"]) {
    const config = await files.readJson(`${dir}/data_api_config.json`);
    if (config !== null && typeof config === "object" && "disabled" in config)
      return config.disabled === false;
  }
  return false;
}

async function holdsConfiguration(files: AppFiles, dir: string): Promise<boolean> {
  for (const entry of await files.list(dir)) {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (await holdsConfiguration(files, relative)) return true;
    } else if (entry.name.endsWith(".json")) {
      // Exports write `[]`, `{}` or `{"enabled": false}` for features nobody configured, and
      // GraphQL always has a config.json of its settings.
      if (relative === "graphql/config.json") continue;
      if (configures(await files.readJson(relative))) return true;
    } else if (/\.(js|graphql)$/.test(entry.name)) {
      return true;
    }
  }
  return false;
}

function configures(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value === null || typeof value !== "object") return false;
  const record = value as Record<string, unknown>;
  return Object.keys(record).length > 0 && record["enabled"] !== false;
}

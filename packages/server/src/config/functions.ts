import { z } from "zod";
import { ConfigError, fieldPath } from "./ConfigError.js";
import type { AppFiles } from "./jsonFile.js";
import { parseConfig } from "./parseConfig.js";
import { ruleExpressionSchema } from "./ruleExpression.js";
import type { FunctionDefinition } from "./types.js";

const MANIFEST = "functions/config.json";

const entrySchema = z
  .object({
    name: z.string().min(1),
    private: z.boolean().default(false),
    can_evaluate: ruleExpressionSchema.default({}),
    disable_arg_logs: z.boolean().default(false),
    run_as_system: z.boolean().default(false),
    run_as_user_id: z.string().default(""),
    run_as_user_id_script_source: z.string().default(""),
  })
  .passthrough();
type Entry = z.output<typeof entrySchema>;

/**
 * `functions/config.json` and the sources beside it: `utils/add` lives in
 * `functions/utils/add.js`. A source file the manifest does not list still becomes a
 * function with default settings, as App Services does on import. Exports from the old
 * Stitch format (`functions/<name>/config.json` + `source.js`) load too.
 */
export async function loadFunctions(files: AppFiles): Promise<Map<string, FunctionDefinition>> {
  const functions = new Map<string, FunctionDefinition>();
  const manifest = await files.readJson(MANIFEST);
  const entries =
    manifest === undefined ? [] : parseConfig(z.array(entrySchema), manifest, MANIFEST);
  const listed = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const at = fieldPath([index, "name"]);
    if (listed.has(entry.name))
      throw new ConfigError(MANIFEST, at, `function ${JSON.stringify(entry.name)} is listed twice`);
    listed.add(entry.name);
    const file = `functions/${entry.name}.js`;
    const source = await files.readText(file);
    if (source === undefined) {
      throw new ConfigError(
        MANIFEST,
        at,
        `function ${JSON.stringify(entry.name)} has no source file ${file}`,
      );
    }
    functions.set(entry.name, definition(entry, source, file));
  }
  for (const found of await findSources(files, "functions")) {
    if (functions.has(found.name)) continue;
    const entry =
      found.configFile === undefined
        ? parseConfig(entrySchema, { name: found.name }, found.file)
        : parseConfig(
            entrySchema,
            { name: found.name, ...asObject(await files.requireJson(found.configFile)) },
            found.configFile,
          );
    const source = (await files.readText(found.file)) ?? "";
    functions.set(found.name, definition(entry, source, found.file));
  }
  return functions;
}

function definition(entry: Entry, source: string, file: string): FunctionDefinition {
  return {
    name: entry.name,
    source,
    file,
    private: entry.private,
    run_as_system: entry.run_as_system,
    run_as_user_id: entry.run_as_user_id,
    run_as_user_id_script_source: entry.run_as_user_id_script_source,
    can_evaluate: entry.can_evaluate,
    disable_arg_logs: entry.disable_arg_logs,
  };
}

interface FoundSource {
  readonly name: string;
  readonly file: string;
  /** Only for the Stitch layout. */
  readonly configFile?: string;
}

async function findSources(files: AppFiles, dir: string, prefix = ""): Promise<FoundSource[]> {
  const entries = await files.list(dir);
  const names = new Set(entries.map((e) => e.name));
  if (prefix !== "" && names.has("source.js") && names.has("config.json")) {
    return [
      { name: prefix.slice(0, -1), file: `${dir}/source.js`, configFile: `${dir}/config.json` },
    ];
  }
  const found: FoundSource[] = [];
  for (const entry of entries) {
    if (entry.isDirectory() && entry.name !== "node_modules") {
      found.push(...(await findSources(files, `${dir}/${entry.name}`, `${prefix}${entry.name}/`)));
    } else if (entry.isFile() && entry.name.endsWith(".js")) {
      found.push({
        name: `${prefix}${entry.name.slice(0, -".js".length)}`,
        file: `${dir}/${entry.name}`,
      });
    }
  }
  return found;
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

import { z } from "zod";
import { ConfigError } from "./ConfigError.js";
import { parseCollectionSchema } from "./collectionSchema.js";
import type { AppFiles } from "./jsonFile.js";
import { parseConfig } from "./parseConfig.js";
import { checkRuleFieldsAgainstSchema, parseRuleSet } from "./ruleSet.js";
import type { CollectionConfig, DataSourceConfig } from "./types.js";

const serviceSchema = z
  .object({
    name: z.string().min(1),
    type: z.string().min(1),
    config: z.record(z.unknown()).default({}),
  })
  .passthrough();

const relationshipsSchema = z.record(
  z
    .object({
      ref: z.string(),
      source_key: z.string(),
      foreign_key: z.string(),
      is_list: z.boolean().default(false),
    })
    .passthrough(),
);

/**
 * `data_sources/<service>/`: the service's config.json, its default_rule.json, and one
 * directory per collection, `<db>/<collection>/` with rules.json, schema.json and
 * relationships.json (each optional).
 */
export async function loadDataSources(files: AppFiles): Promise<Map<string, DataSourceConfig>> {
  const sources = new Map<string, DataSourceConfig>();
  for (const dir of await files.list("data_sources")) {
    if (!dir.isDirectory()) continue;
    const base = `data_sources/${dir.name}`;
    const service = parseConfig(
      serviceSchema,
      await files.requireJson(`${base}/config.json`),
      `${base}/config.json`,
    );
    if (sources.has(service.name)) {
      throw new ConfigError(
        `${base}/config.json`,
        "name",
        `another data source is already named ${JSON.stringify(service.name)}`,
      );
    }
    const defaultRuleValue = await files.readJson(`${base}/default_rule.json`);
    sources.set(service.name, {
      name: service.name,
      type: service.type,
      config: service.config,
      defaultRule:
        defaultRuleValue === undefined
          ? undefined
          : parseRuleSet(defaultRuleValue, `${base}/default_rule.json`).rules,
      collections: await loadCollections(files, base),
    });
  }
  return sources;
}

async function loadCollections(
  files: AppFiles,
  base: string,
): Promise<Map<string, CollectionConfig>> {
  const collections = new Map<string, CollectionConfig>();
  for (const db of await files.list(base)) {
    if (!db.isDirectory()) continue;
    for (const coll of await files.list(`${base}/${db.name}`)) {
      if (!coll.isDirectory()) continue;
      const config = await loadCollection(
        files,
        `${base}/${db.name}/${coll.name}`,
        db.name,
        coll.name,
      );
      const key = `${config.database}.${config.collection}`;
      if (collections.has(key))
        throw new ConfigError(
          `${base}/${db.name}/${coll.name}/rules.json`,
          "collection",
          `${key} is configured twice (also in another directory)`,
        );
      collections.set(key, config);
    }
  }
  return collections;
}

async function loadCollection(
  files: AppFiles,
  dir: string,
  database: string,
  collection: string,
): Promise<CollectionConfig> {
  const rulesFile = `${dir}/rules.json`;
  const schemaFile = `${dir}/schema.json`;
  const rulesValue = await files.readJson(rulesFile);
  const schemaValue = await files.readJson(schemaFile);
  const relationshipsValue = await files.readJson(`${dir}/relationships.json`);
  const parsed = rulesValue === undefined ? undefined : parseRuleSet(rulesValue, rulesFile);
  // Some exporters write `{}` for a collection without a schema: that means "no schema".
  const schema =
    schemaValue === undefined || isEmptyObject(schemaValue)
      ? undefined
      : parseCollectionSchema(schemaValue, schemaFile);
  if (parsed !== undefined && schema !== undefined)
    checkRuleFieldsAgainstSchema(parsed.rules, schema, rulesFile);
  // rules.json names the namespace; the directories usually repeat it, but App Services goes by
  // the file (exports exist whose directory is the Realm type's name, "Store" for "Stores").
  return {
    database: parsed?.database ?? database,
    collection: parsed?.collection ?? collection,
    rules: parsed?.rules,
    schema,
    relationships:
      relationshipsValue === undefined
        ? undefined
        : parseConfig(relationshipsSchema, relationshipsValue, `${dir}/relationships.json`),
  };
}

function isEmptyObject(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.keys(value).length === 0
  );
}

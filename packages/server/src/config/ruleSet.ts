import { z } from "zod";
import { ConfigError, fieldPath } from "./ConfigError.js";
import { parseConfig } from "./parseConfig.js";
import { ruleExpressionSchema } from "./ruleExpression.js";
import type { CollectionSchema, FieldPermissions, Role, RuleSet } from "./types.js";

const fieldPermissionsSchema: z.ZodType<FieldPermissions> = z.lazy(() =>
  z
    .object({
      read: ruleExpressionSchema.optional(),
      write: ruleExpressionSchema.optional(),
      fields: z.record(fieldPermissionsSchema).optional(),
    })
    .strict(),
);

/** A role as App Services exports it. Unknown keys are refused: `applyWhen` is a typo here. */
export const roleSchema = z
  .object({
    name: z.string().min(1).max(100),
    apply_when: ruleExpressionSchema.default({}),
    document_filters: z
      .object({ read: ruleExpressionSchema.optional(), write: ruleExpressionSchema.optional() })
      .strict()
      .optional(),
    read: ruleExpressionSchema.optional(),
    write: ruleExpressionSchema.optional(),
    insert: ruleExpressionSchema.optional(),
    delete: ruleExpressionSchema.optional(),
    search: ruleExpressionSchema.optional(),
    fields: z.record(fieldPermissionsSchema).optional(),
    additional_fields: fieldPermissionsSchema.optional(),
  })
  .strict();

const filterSchema = z
  .object({
    name: z.string().min(1),
    apply_when: ruleExpressionSchema.default({}),
    query: z.record(z.unknown()).optional(),
    projection: z.record(z.unknown()).optional(),
  })
  .strict();

/** rules.json and default_rule.json; the former also names its database and collection. */
const ruleSetFileSchema = z
  .object({
    database: z.string().optional(),
    collection: z.string().optional(),
    roles: z.array(roleSchema).default([]),
    filters: z.array(filterSchema).default([]),
  })
  .passthrough();

export interface ParsedRuleFile {
  readonly database?: string;
  readonly collection?: string;
  readonly rules: RuleSet;
}

export function parseRuleSet(value: unknown, file: string): ParsedRuleFile {
  const parsed = parseConfig(ruleSetFileSchema, value, file);
  const roleNames = new Set<string>();
  for (const [index, role] of parsed.roles.entries()) {
    if (roleNames.has(role.name)) {
      throw new ConfigError(
        file,
        fieldPath(["roles", index, "name"]),
        `duplicate role name ${JSON.stringify(role.name)}`,
      );
    }
    roleNames.add(role.name);
  }
  return {
    database: parsed.database,
    collection: parsed.collection,
    rules: { roles: parsed.roles, filters: parsed.filters },
  };
}

/**
 * With a schema.json beside the rules, every field a role names must exist in it: a field
 * permission or a document filter on a misspelt field would never match and silently deny
 * (or allow) access.
 */
export function checkRuleFieldsAgainstSchema(
  rules: RuleSet,
  schema: CollectionSchema,
  file: string,
): void {
  const properties = schema["properties"];
  if (properties === null || typeof properties !== "object") return;
  const known = new Set(["_id", ...Object.keys(properties)]);
  for (const [index, role] of rules.roles.entries()) {
    for (const field of Object.keys(role.fields ?? {})) {
      if (!known.has(field)) {
        throw unknownField(file, ["roles", index, "fields", field], field);
      }
    }
    for (const [key, expression] of documentExpressions(role)) {
      for (const field of referencedFields(expression)) {
        if (!known.has(field)) throw unknownField(file, ["roles", index, ...key], field);
      }
    }
  }
}

function unknownField(file: string, path: (string | number)[], field: string): ConfigError {
  return new ConfigError(
    file,
    fieldPath(path),
    `refers to field ${JSON.stringify(field)}, which schema.json does not define`,
  );
}

function documentExpressions(role: Role): [string[], unknown][] {
  return [
    [["document_filters", "read"], role.document_filters?.read],
    [["document_filters", "write"], role.document_filters?.write],
    [["read"], role.read],
    [["write"], role.write],
    [["insert"], role.insert],
    [["delete"], role.delete],
  ];
}

/** Top-level document fields an expression compares (bare keys are `%%root.<key>`). */
function referencedFields(expression: unknown): string[] {
  if (expression === null || typeof expression !== "object" || Array.isArray(expression)) return [];
  return Object.entries(expression).flatMap(([key, value]) => {
    if (key === "%and" || key === "%or" || key === "%nor") {
      return Array.isArray(value) ? value.flatMap(referencedFields) : [];
    }
    if (key.startsWith("%%root.") || key.startsWith("%%prevRoot."))
      return [key.split(".")[1] ?? ""];
    if (key.startsWith("%") || key.startsWith("$")) return [];
    return [key.split(".")[0] ?? key];
  });
}

import { z } from "zod";
import { ConfigError, fieldPath } from "./ConfigError.js";
import type { AppFiles } from "./jsonFile.js";
import { parseConfig } from "./parseConfig.js";
import { ruleExpressionSchema } from "./ruleExpression.js";
import type { Role, RuleExpression, RuleSet, SyncConfig } from "./types.js";

export const SYNC_FILE = "sync/config.json";

const fieldNames = z.array(z.string().min(1), {
  errorMap: (issue, ctx) => ({
    message:
      issue.code === "invalid_type"
        ? "must be an array of field names (strings)"
        : ctx.defaultError,
  }),
});

const legacyRoleSchema = z
  .object({
    name: z.string().min(1),
    applyWhen: ruleExpressionSchema.default({}),
    read: ruleExpressionSchema.default(false),
    write: ruleExpressionSchema.default(false),
  })
  .passthrough();

const syncSchema = z
  .object({
    type: z.enum(["flexible", "partition"]).optional(),
    state: z.string().default(""),
    development_mode_enabled: z.boolean().default(false),
    service_name: z.string().default(""),
    database_name: z.string().default(""),
    queryable_fields_names: fieldNames.default([]),
    indexed_queryable_fields_names: fieldNames
      .max(1, "at most one field can be the indexed queryable field")
      .default([]),
    collection_queryable_fields_names: z.record(fieldNames).default({}),
    asymmetric_tables: fieldNames.default([]),
    client_max_offline_days: z.number().nonnegative().optional(),
    is_recovery_mode_disabled: z.boolean().default(false),
    permissions: z
      .object({
        rules: z.record(z.array(legacyRoleSchema)).default({}),
        defaultRoles: z.array(legacyRoleSchema).default([]),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** Roles written in sync/config.json before 2023, turned into today's rules (see `migrateLegacyRole`). */
export interface LegacySyncPermissions {
  readonly defaultRule?: RuleSet;
  /** Keyed by collection (Realm object type) name. */
  readonly collectionRules: ReadonlyMap<string, RuleSet>;
}

export async function loadSync(
  files: AppFiles,
): Promise<{ sync: SyncConfig; legacy?: LegacySyncPermissions }> {
  const value = await files.readJson(SYNC_FILE);
  const raw = value === undefined ? {} : parseConfig(z.record(z.unknown()), value, SYNC_FILE);
  const parsed = parseConfig(syncSchema, raw, SYNC_FILE);
  for (const [index, field] of parsed.indexed_queryable_fields_names.entries()) {
    if (!parsed.queryable_fields_names.includes(field)) {
      throw new ConfigError(
        SYNC_FILE,
        fieldPath(["indexed_queryable_fields_names", index]),
        `${JSON.stringify(field)} must also be listed in queryable_fields_names`,
      );
    }
  }
  const sync: SyncConfig = {
    type: parsed.type ?? "disabled",
    state: parsed.state,
    developmentModeEnabled: parsed.development_mode_enabled,
    serviceName: parsed.service_name,
    databaseName: parsed.database_name,
    queryableFieldsNames: parsed.queryable_fields_names,
    indexedQueryableFieldsNames: parsed.indexed_queryable_fields_names,
    collectionQueryableFieldsNames: parsed.collection_queryable_fields_names,
    asymmetricTables: parsed.asymmetric_tables,
    clientMaxOfflineDays: parsed.client_max_offline_days,
    isRecoveryModeDisabled: parsed.is_recovery_mode_disabled,
    raw,
  };
  const permissions = parsed.permissions;
  if (permissions === undefined) return { sync };
  return {
    sync,
    legacy: {
      defaultRule:
        permissions.defaultRoles.length === 0
          ? undefined
          : { roles: permissions.defaultRoles.map(migrateLegacyRole), filters: [] },
      collectionRules: new Map(
        Object.entries(permissions.rules).map(([table, roles]) => [
          table,
          { roles: roles.map(migrateLegacyRole), filters: [] },
        ]),
      ),
    },
  };
}

/**
 * Pre-2023 flexible-sync roles had `applyWhen` and a `read`/`write` expression over the
 * document; today's equivalent puts those expressions in `document_filters` and grants the
 * whole document once they match. Write access implied read access, so the read filter
 * admits either.
 */
export function migrateLegacyRole(legacy: z.output<typeof legacyRoleSchema>): Role {
  return {
    name: legacy.name,
    apply_when: legacy.applyWhen,
    document_filters: { read: either(legacy.read, legacy.write), write: legacy.write },
    read: true,
    write: true,
  };
}

function either(a: RuleExpression, b: RuleExpression): RuleExpression {
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  return { "%or": [a, b] };
}

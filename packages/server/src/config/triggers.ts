import { Cron } from "croner";
import { z } from "zod";
import { ConfigError } from "./ConfigError.js";
import type { AppFiles } from "./jsonFile.js";
import { parseConfig } from "./parseConfig.js";
import type { AppConfig, TriggerConfig } from "./types.js";

const DIR = "triggers";

const DATABASE_OPERATIONS = ["INSERT", "UPDATE", "REPLACE", "DELETE"] as const;
const AUTH_OPERATIONS = ["CREATE", "LOGIN", "DELETE"] as const;

function oneOf<T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, {
    errorMap: (issue, ctx) => ({
      message:
        issue.code === "invalid_enum_value"
          ? `unknown ${what} ${JSON.stringify(issue.received)} (known: ${values.join(", ")})`
          : ctx.defaultError,
    }),
  });
}

const databaseConfig = z
  .object({
    service_name: z.string().default("mongodb-atlas"),
    database: z.string().min(1),
    collection: z.string().default(""),
    operation_types: z.array(oneOf(DATABASE_OPERATIONS, "operation type")).min(1),
    match: z.record(z.unknown()).default({}),
    project: z.record(z.unknown()).default({}),
    full_document: z.boolean().default(false),
    full_document_before_change: z.boolean().default(false),
    unordered: z.boolean().default(false),
    skip_catchup_events: z.boolean().default(false),
  })
  .passthrough();

const scheduledConfig = z
  .object({ schedule: z.string().min(1), skip_catchup_events: z.boolean().default(false) })
  .passthrough();

const authenticationConfig = z
  .object({
    operation_type: oneOf(AUTH_OPERATIONS, "operation type"),
    providers: z.array(z.string().min(1)).min(1),
  })
  .passthrough();

const base = {
  name: z.string().min(1).optional(),
  disabled: z.boolean().default(false),
  function_name: z.string().optional(),
  event_processors: z
    .object({
      FUNCTION: z
        .object({ config: z.object({ function_name: z.string().min(1) }).passthrough() })
        .passthrough()
        .optional(),
    })
    .passthrough()
    .optional(),
};

const triggerSchema = z.discriminatedUnion("type", [
  z.object({ ...base, type: z.literal("DATABASE"), config: databaseConfig }).passthrough(),
  z.object({ ...base, type: z.literal("SCHEDULED"), config: scheduledConfig }).passthrough(),
  z
    .object({ ...base, type: z.literal("AUTHENTICATION"), config: authenticationConfig })
    .passthrough(),
]);

/**
 * `triggers/*.json`, one trigger per file, keyed by name (the file name without `.json` when
 * the trigger names none). Unknown trigger types, operation types and CRON expressions stop
 * start-up here, naming the file, rather than at the first event.
 */
export async function loadTriggers(
  files: AppFiles,
  known: Pick<AppConfig, "functions" | "dataSources">,
): Promise<Map<string, TriggerConfig>> {
  const triggers = new Map<string, TriggerConfig>();
  for (const entry of await files.jsonFilesIn(DIR)) {
    const file = `${DIR}/${entry}`;
    const value = await files.requireJson(file);
    checkType(value, file);
    const parsed = parseConfig(triggerSchema, value, file);
    const name = parsed.name ?? entry.slice(0, -".json".length);
    if (triggers.has(name))
      throw new ConfigError(file, "name", `trigger ${JSON.stringify(name)} is defined twice`);
    const processor = parsed.event_processors?.FUNCTION?.config.function_name;
    const functionField =
      processor === undefined ? "function_name" : "event_processors.FUNCTION.config.function_name";
    const functionName = processor ?? parsed.function_name;
    if (functionName === undefined || functionName === "") {
      throw new ConfigError(
        file,
        "event_processors.FUNCTION.config.function_name",
        "is required: Atoll runs triggers through a function (other event processors are not supported)",
      );
    }
    if (!known.functions.has(functionName)) {
      throw new ConfigError(
        file,
        functionField,
        `function ${JSON.stringify(functionName)} does not exist (no functions/${functionName}.js)`,
      );
    }
    if (parsed.type === "DATABASE" && !known.dataSources.has(parsed.config.service_name)) {
      throw new ConfigError(
        file,
        "config.service_name",
        `data source ${JSON.stringify(parsed.config.service_name)} does not exist (no data_sources/*/config.json names it)`,
      );
    }
    const common = { name, file, disabled: parsed.disabled, functionName };
    switch (parsed.type) {
      case "DATABASE": {
        const c = parsed.config;
        triggers.set(name, {
          ...common,
          type: "DATABASE",
          serviceName: c.service_name,
          database: c.database,
          collection: c.collection,
          operationTypes: c.operation_types,
          match: c.match,
          project: c.project,
          fullDocument: c.full_document,
          fullDocumentBeforeChange: c.full_document_before_change,
          unordered: c.unordered,
          skipCatchupEvents: c.skip_catchup_events,
        });
        break;
      }
      case "SCHEDULED":
        checkSchedule(parsed.config.schedule, file);
        triggers.set(name, {
          ...common,
          type: "SCHEDULED",
          schedule: parsed.config.schedule.trim(),
          skipCatchupEvents: parsed.config.skip_catchup_events,
        });
        break;
      case "AUTHENTICATION":
        triggers.set(name, {
          ...common,
          type: "AUTHENTICATION",
          operationType: parsed.config.operation_type,
          providers: parsed.config.providers,
        });
        break;
    }
  }
  return triggers;
}

/** The schedule as the scheduler reads it: five fields (minute to weekday), in UTC. */
export function cronOf(schedule: string): Cron {
  return new Cron(schedule, { timezone: "Etc/UTC", paused: true });
}

const TRIGGER_TYPES = ["DATABASE", "SCHEDULED", "AUTHENTICATION"];

/** zod's discriminated union says little about a wrong `type`; this says what is known. */
function checkType(value: unknown, file: string): void {
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof type === "string" && !TRIGGER_TYPES.includes(type)) {
    throw new ConfigError(
      file,
      "type",
      `unknown trigger type ${JSON.stringify(type)} (known: ${TRIGGER_TYPES.join(", ")})`,
    );
  }
}

function checkSchedule(schedule: string, file: string): void {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new ConfigError(
      file,
      "config.schedule",
      `${JSON.stringify(schedule)} is not a CRON expression of five fields (minute hour day-of-month month day-of-week)`,
    );
  }
  try {
    cronOf(schedule);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, "") : "";
    throw new ConfigError(
      file,
      "config.schedule",
      `${JSON.stringify(schedule)} is not a valid CRON expression (${reason})`,
    );
  }
}

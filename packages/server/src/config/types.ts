/**
 * An App Services app export, loaded. Field names inside roles, providers and functions stay
 * as they are in the export (snake_case), so what an operator reads in their JSON files is
 * what the code handles. `loadAppConfig` (config/loadAppConfig.ts) produces this.
 */

/** A rule expression: a JSON object whose keys are ANDed, `{}` is true; or a literal bool. */
export type RuleExpression = boolean | Readonly<Record<string, unknown>>;

export interface FieldPermissions {
  readonly read?: RuleExpression;
  readonly write?: RuleExpression;
  readonly fields?: Readonly<Record<string, FieldPermissions>>;
}

export interface Role {
  readonly name: string;
  readonly apply_when: RuleExpression;
  readonly document_filters?: { readonly read?: RuleExpression; readonly write?: RuleExpression };
  readonly read?: RuleExpression;
  readonly write?: RuleExpression;
  readonly insert?: RuleExpression;
  readonly delete?: RuleExpression;
  readonly search?: RuleExpression;
  readonly fields?: Readonly<Record<string, FieldPermissions>>;
  readonly additional_fields?: FieldPermissions;
}

export interface QueryFilter {
  readonly name: string;
  readonly apply_when: RuleExpression;
  readonly query?: Readonly<Record<string, unknown>>;
  readonly projection?: Readonly<Record<string, unknown>>;
}

export interface RuleSet {
  readonly roles: readonly Role[];
  readonly filters: readonly QueryFilter[];
}

/** App Services JSON Schema (schema.json): `bsonType`, `properties`, `required`, `items`, `title`. */
export type CollectionSchema = Readonly<Record<string, unknown>>;

export interface CollectionConfig {
  readonly database: string;
  readonly collection: string;
  /** From `<db>/<coll>/rules.json`; absent means the data source's default rule applies. */
  readonly rules?: RuleSet;
  readonly schema?: CollectionSchema;
  readonly relationships?: Readonly<Record<string, unknown>>;
}

export interface DataSourceConfig {
  /** The service name clients send (`service` in functions/call), usually "mongodb-atlas". */
  readonly name: string;
  readonly type: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly defaultRule?: RuleSet;
  /** Keyed by `<db>.<collection>`. */
  readonly collections: ReadonlyMap<string, CollectionConfig>;
}

export interface AuthProviderConfig {
  readonly name: string;
  readonly type: string;
  readonly disabled: boolean;
  readonly config: Readonly<Record<string, unknown>>;
  /** `secret_config` with each secret name resolved to its value (from values/ or secrets). */
  readonly secretConfig: Readonly<Record<string, unknown>>;
  readonly metadataFields: readonly {
    readonly required: boolean;
    readonly name: string;
    readonly field_name?: string;
  }[];
}

export interface CustomUserDataConfig {
  readonly mongoServiceName: string;
  readonly databaseName: string;
  readonly collectionName: string;
  readonly userIdField: string;
  readonly onUserCreationFunctionName?: string;
}

export interface FunctionDefinition {
  readonly name: string;
  /** The source file text: `exports = function (...) { ... }`. */
  readonly source: string;
  /** Path of the source file inside the app directory, for error messages. */
  readonly file: string;
  readonly private: boolean;
  readonly run_as_system: boolean;
  readonly run_as_user_id: string;
  readonly run_as_user_id_script_source: string;
  readonly can_evaluate: RuleExpression;
  readonly disable_arg_logs: boolean;
}

export interface SyncConfig {
  readonly type: "flexible" | "partition" | "disabled";
  readonly state: string;
  readonly developmentModeEnabled: boolean;
  readonly serviceName: string;
  readonly databaseName: string;
  readonly queryableFieldsNames: readonly string[];
  readonly indexedQueryableFieldsNames: readonly string[];
  readonly collectionQueryableFieldsNames: Readonly<Record<string, readonly string[]>>;
  readonly asymmetricTables: readonly string[];
  readonly clientMaxOfflineDays?: number;
  readonly isRecoveryModeDisabled: boolean;
  /** The file as exported, kept whole so nothing in it is lost. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** One entry of `https_endpoints/config.json`, served under `/app/<appId>/endpoint<route>`. */
export interface EndpointConfig {
  readonly route: string;
  /** An HTTP method, or "*" for every method. */
  readonly httpMethod: string;
  readonly functionName: string;
  readonly validationMethod: "NO_VALIDATION" | "SECRET_AS_QUERY_PARAM" | "VERIFY_PAYLOAD";
  /** The value of `secret_name`'s secret, for the validating methods. */
  readonly secret?: string;
  readonly respondResult: boolean;
  readonly fetchCustomUserData: boolean;
  readonly createUserOnAuth: boolean;
  readonly disabled: boolean;
}

export interface ValueConfig {
  readonly name: string;
  readonly value: unknown;
  readonly fromSecret: boolean;
}

/** What every trigger of `triggers/*.json` has. */
interface TriggerBase {
  readonly name: string;
  /** The file it was loaded from, relative to the app directory. */
  readonly file: string;
  readonly disabled: boolean;
  /** `event_processors.FUNCTION.config.function_name`, or the older top-level `function_name`. */
  readonly functionName: string;
}

export type DatabaseOperationType = "INSERT" | "UPDATE" | "REPLACE" | "DELETE";

export interface DatabaseTriggerConfig extends TriggerBase {
  readonly type: "DATABASE";
  readonly serviceName: string;
  readonly database: string;
  /** Empty: every collection of the database. */
  readonly collection: string;
  readonly operationTypes: readonly DatabaseOperationType[];
  /** A `$match` filter over the change event; `{}` matches every event. */
  readonly match: Readonly<Record<string, unknown>>;
  /** A `$project` over the change event; `{}` passes it whole. */
  readonly project: Readonly<Record<string, unknown>>;
  /** Updates carry the whole document after the change (inserts and replaces always do). */
  readonly fullDocument: boolean;
  readonly fullDocumentBeforeChange: boolean;
  readonly unordered: boolean;
  readonly skipCatchupEvents: boolean;
}

export interface ScheduledTriggerConfig extends TriggerBase {
  readonly type: "SCHEDULED";
  /** A five-field CRON expression, evaluated in UTC. */
  readonly schedule: string;
  readonly skipCatchupEvents: boolean;
}

export type AuthOperationType = "CREATE" | "LOGIN" | "DELETE";

export interface AuthenticationTriggerConfig extends TriggerBase {
  readonly type: "AUTHENTICATION";
  readonly operationType: AuthOperationType;
  /** Provider types (`anon-user`, `local-userpass`...) whose events fire the trigger. */
  readonly providers: readonly string[];
}

export type TriggerConfig =
  DatabaseTriggerConfig | ScheduledTriggerConfig | AuthenticationTriggerConfig;

export interface AppConfig {
  /** Absolute path of the app directory. */
  readonly dir: string;
  /** The client app id clients use in URLs: `app_id`, else `.mdb/meta.json` `client_app_id`, else `name`. */
  readonly appId: string;
  readonly name: string;
  /** "", "development", "testing", "qa" or "production". */
  readonly environment: string;
  readonly allowedRequestOrigins: readonly string[];
  /** Keyed by provider name (which equals its type in exports). */
  readonly authProviders: ReadonlyMap<string, AuthProviderConfig>;
  readonly customUserData?: CustomUserDataConfig;
  readonly functions: ReadonlyMap<string, FunctionDefinition>;
  /** Keyed by service name. */
  readonly dataSources: ReadonlyMap<string, DataSourceConfig>;
  readonly sync: SyncConfig;
  /** Values with secrets resolved, keyed by name. */
  readonly values: ReadonlyMap<string, unknown>;
  /** `environments/<environment>.json` `values`. */
  readonly environmentValues: Readonly<Record<string, unknown>>;
  /** `triggers/*.json`, keyed by trigger name. Absent: none. */
  readonly triggers?: ReadonlyMap<string, TriggerConfig>;
  /** HTTPS endpoints; absent or empty: none. */
  readonly endpoints?: readonly EndpointConfig[];
  /**
   * What the export asks for that Atoll will not do (the ignored directories named together,
   * partition sync, npm packages not installed), one sentence each, for the operator to read
   * at start-up. Absent or empty: none.
   */
  readonly unsupported?: readonly string[];
}

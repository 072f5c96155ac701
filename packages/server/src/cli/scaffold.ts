/**
 * The files `atoll init` writes: a small App Services export with a `Task` collection that
 * each user owns, flexible sync on it, anonymous and email/password sign-in, and one
 * function. It is laid out as Atlas exports apps, so what users learn here carries over.
 */
export function scaffoldFiles(appName: string): Record<string, unknown> {
  const database = `${appName}-db`;
  return {
    "root_config.json": {
      app_id: appName,
      name: appName,
      deployment_model: "GLOBAL",
      environment: "development",
      allowed_request_origins: [],
    },
    "auth/providers.json": {
      "anon-user": { name: "anon-user", type: "anon-user", disabled: false },
      "local-userpass": {
        name: "local-userpass",
        type: "local-userpass",
        disabled: false,
        config: {
          autoConfirm: true,
          runConfirmationFunction: false,
          runResetFunction: false,
          resetPasswordUrl: "http://localhost:3000/reset",
        },
      },
      "api-key": { name: "api-key", type: "api-key", disabled: false },
    },
    "auth/custom_user_data.json": {
      enabled: true,
      mongo_service_name: "mongodb-atlas",
      database_name: database,
      collection_name: "User",
      user_id_field: "userId",
    },
    "functions/config.json": [
      {
        name: "greet",
        private: false,
        can_evaluate: {},
        disable_arg_logs: false,
        run_as_system: false,
        run_as_user_id: "",
        run_as_user_id_script_source: "",
      },
    ],
    "functions/greet.js": [
      '// Call it from a client: user.functions.greet("world")',
      "exports = function (name) {",
      "  console.log(`greeting ${name} for user ${context.user.id}`);",
      "  return `Hello, ${name}!`;",
      "};",
      "",
    ].join("\n"),
    "data_sources/mongodb-atlas/config.json": {
      name: "mongodb-atlas",
      type: "mongodb-atlas",
      config: { clusterName: "Cluster0" },
    },
    [`data_sources/mongodb-atlas/${database}/Task/rules.json`]: {
      collection: "Task",
      database,
      roles: [
        {
          name: "owner-read-write",
          apply_when: {},
          document_filters: { read: { owner_id: "%%user.id" }, write: { owner_id: "%%user.id" } },
          read: true,
          write: true,
          insert: true,
          delete: true,
        },
      ],
    },
    [`data_sources/mongodb-atlas/${database}/Task/schema.json`]: {
      title: "Task",
      bsonType: "object",
      required: ["_id", "owner_id", "summary"],
      properties: {
        _id: { bsonType: "objectId" },
        owner_id: { bsonType: "string" },
        summary: { bsonType: "string" },
        isComplete: { bsonType: "bool" },
      },
    },
    [`data_sources/mongodb-atlas/${database}/User/rules.json`]: {
      collection: "User",
      database,
      roles: [
        {
          name: "read-own",
          apply_when: {},
          document_filters: { read: { userId: "%%user.id" }, write: false },
          read: true,
          write: false,
        },
      ],
    },
    "sync/config.json": {
      type: "flexible",
      state: "enabled",
      development_mode_enabled: false,
      service_name: "mongodb-atlas",
      database_name: database,
      client_max_offline_days: 30,
      is_recovery_mode_disabled: false,
      queryable_fields_names: ["owner_id"],
      indexed_queryable_fields_names: [],
      collection_queryable_fields_names: {},
      asymmetric_tables: [],
    },
    "environments/development.json": { values: {} },
    "environments/production.json": { values: {} },
    "environments/no-environment.json": { values: {} },
  };
}

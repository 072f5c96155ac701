/**
 * The app the convergence and fault tests (and the sync benchmarks) sync against: a copy of
 * examples/cars in a temporary directory with one more synced type, `Task`, that every user
 * may read and write. Views differ by `group` (a queryable field), so changing a task's group
 * moves it into and out of clients' views. `points` is a counter on the client (AddInteger),
 * `tags` a list of strings.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const CARS_APP_DIR = fileURLToPath(new URL("../../../examples/cars", import.meta.url));

/** The client schema of `Task`, matching the server's schema.json below. */
export const TaskSchema = {
  name: "Task",
  primaryKey: "_id",
  properties: {
    _id: "string",
    group: "string",
    title: "string?",
    points: "counter",
    tags: "string[]",
  },
} as const;

const taskJsonSchema = {
  title: "Task",
  bsonType: "object",
  required: ["_id", "group", "points"],
  properties: {
    _id: { bsonType: "string" },
    group: { bsonType: "string" },
    title: { bsonType: "string" },
    points: { bsonType: "long" },
    tags: { bsonType: "array", items: { bsonType: "string" } },
  },
};

const taskRules = {
  collection: "Task",
  database: "cars-db",
  roles: [
    {
      name: "everyone",
      apply_when: {},
      document_filters: { read: {}, write: {} },
      read: true,
      write: true,
    },
  ],
};

export interface SyncAppDir {
  readonly dir: string;
  remove(): Promise<void>;
}

/** examples/cars plus `Task`, with `group` queryable, in a fresh temporary directory. */
export async function writeSyncApp(): Promise<SyncAppDir> {
  const root = await mkdtemp(path.join(tmpdir(), "atoll-sync-app-"));
  const dir = path.join(root, "app");
  await cp(CARS_APP_DIR, dir, { recursive: true });
  const taskDir = path.join(dir, "data_sources", "mongodb-atlas", "cars-db", "Task");
  await mkdir(taskDir, { recursive: true });
  await writeFile(path.join(taskDir, "schema.json"), JSON.stringify(taskJsonSchema, null, 2));
  await writeFile(path.join(taskDir, "rules.json"), JSON.stringify(taskRules, null, 2));
  const syncConfigFile = path.join(dir, "sync", "config.json");
  const syncConfig = JSON.parse(await readFile(syncConfigFile, "utf8")) as {
    queryable_fields_names: string[];
  };
  syncConfig.queryable_fields_names = [...syncConfig.queryable_fields_names, "group"];
  await writeFile(syncConfigFile, JSON.stringify(syncConfig, null, 2));
  return { dir, remove: () => rm(root, { recursive: true, force: true }) };
}

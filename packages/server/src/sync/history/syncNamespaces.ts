/** Where sync keeps its own state, beside the app's documents (never in the change feed). */
import type { Namespace } from "../../storage/StorageEngine.js";

const db = "__atoll_sync";
export const HISTORY: Namespace = { db, coll: "history" };
export const OBJECT_META: Namespace = { db, coll: "objectMeta" };
export const CLIENT_FILES: Namespace = { db, coll: "clientFiles" };
export const COUNTERS: Namespace = { db, coll: "counters" };
export const DEVELOPMENT_TYPES: Namespace = { db, coll: "developmentTypes" };

/** The origin sync names on its storage batches, so the change feed tells its writes apart. */
export const SYNC_ORIGIN = "sync";

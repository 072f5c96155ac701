/** Where triggers keep their progress, beside the app's documents (never in the change feed). */
import type { Namespace } from "../storage/StorageEngine.js";

/**
 * One document per trigger: `{_id: "database:<name>", seq, holder, until}` for a database
 * trigger's cursor and claim, `{_id: "scheduled:<name>", lastRun}` for a scheduled trigger.
 */
export const TRIGGER_STATE: Namespace = { db: "__atoll_triggers", coll: "state" };

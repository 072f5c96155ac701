/** What one committed write transaction changed, as listeners are told. */
import type { ObjectRow } from "../schema/ClassInfo.js";

export interface CommitChanges {
  readonly inserted: ReadonlySet<ObjectRow>;
  readonly deleted: ReadonlySet<ObjectRow>;
  /** Changed property names (as user code sees them) per surviving object. */
  readonly modified: ReadonlyMap<ObjectRow, ReadonlySet<string>>;
}

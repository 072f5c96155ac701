/** What one committed write transaction changed, as listeners are told. */
import type { ObjectRow } from "../schema/ClassInfo.js";
import type { CanonicalObjectSchema } from "../schema/types.js";

export interface CommitChanges {
  readonly inserted: ReadonlySet<ObjectRow>;
  readonly deleted: ReadonlySet<ObjectRow>;
  /** Changed property names (as user code sees them) per surviving object. */
  readonly modified: ReadonlyMap<ObjectRow, ReadonlySet<string>>;
  /** Set when the transaction changed the realm's schema (`deleteModel`): the new one. */
  readonly schema?: readonly CanonicalObjectSchema[];
}

/**
 * What stands between a caller and the documents of one collection. The system service uses
 * `OPEN_ACCESS`; a user's service uses the collection's rules (rules/RulesPolicy.ts). Reads are
 * enforced by rewriting the query (`ReadPlan.filter` is ANDed into the caller's filter before
 * anything runs: find, count, aggregate, the matching phase of updates and deletes), then each
 * matched document passes `visible`/`reveal`. Writes are checked per document and throw
 * `AppError("NoMatchingRuleFound")` when denied.
 */
import type { Document } from "./types.js";

export interface ReadPlan {
  /** ANDed into the caller's filter. */
  readonly filter: Document;
  /** Merged into the caller's projection (query filters' `projection`). */
  readonly projection?: Document;
  /** Whether the document may be touched at all (document-level read access). */
  visible(doc: Document): Promise<boolean>;
  /** The document as the caller may read it (unreadable fields removed), or null. */
  reveal(doc: Document): Promise<Document | null>;
}

export interface AccessPolicy {
  planRead(): Promise<ReadPlan>;
  checkInsert(doc: Document): Promise<void>;
  checkUpdate(before: Document, after: Document): Promise<void>;
  checkDelete(doc: Document): Promise<void>;
}

const OPEN_PLAN: ReadPlan = {
  filter: {},
  visible: async () => true,
  reveal: async (doc) => doc,
};

export const OPEN_ACCESS: AccessPolicy = {
  planRead: async () => OPEN_PLAN,
  checkInsert: async () => undefined,
  checkUpdate: async () => undefined,
  checkDelete: async () => undefined,
};

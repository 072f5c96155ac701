import type { Identity } from "../UserStore.js";

/** What a provider makes of a login payload: whose identity it is and the metadata it carries. */
export interface ResolvedIdentity {
  readonly identity: Identity;
  /** Provider metadata merged into `user.data` (email, name, JWT metadata fields). */
  readonly data: Record<string, unknown>;
  /** Set when the credential belongs to a user directly rather than to an identity (API keys). */
  readonly userId?: string;
  /** The identity is a server API key's: its user is of type "server". */
  readonly server?: boolean;
}

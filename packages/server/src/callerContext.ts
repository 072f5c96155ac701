/**
 * Who is acting, as rules (`%%user`, `%%request`) and functions (`context.user`,
 * `context.request`) see it. Field names follow App Services so that expansions written for
 * Atlas resolve unchanged.
 */
export interface UserContext {
  /** The user's id (24 hex digits); empty for the system user of triggers. */
  readonly id: string;
  readonly type: "normal" | "server" | "system";
  /** Provider metadata (email, name, JWT metadata_fields...). */
  readonly data: Readonly<Record<string, unknown>>;
  /** The user's custom user data document, as embedded in the access token. */
  readonly custom_data: Readonly<Record<string, unknown>>;
  readonly identities: readonly { readonly id: string; readonly provider_type: string }[];
}

export interface RequestContext {
  readonly remoteIPAddress: string;
  readonly requestHeaders: Readonly<Record<string, string[]>>;
  readonly httpMethod: string;
  readonly rawQueryString: string;
  readonly httpReferrer: string;
  readonly httpUserAgent: string;
  /** For service calls: the service name and action, e.g. "mongodb-atlas" / "find". */
  readonly service?: string;
  readonly action?: string;
  readonly webhookUrl?: string;
}

/** The system user: what `run_as_system` functions and internal writes act as. */
export const SYSTEM_USER: UserContext = Object.freeze({
  id: "",
  type: "system",
  data: Object.freeze({}),
  custom_data: Object.freeze({}),
  identities: Object.freeze([]),
});

/** A header name as App Services spells it in `requestHeaders` and HTTP results: `Content-Type`. */
export function canonicalHeaderName(name: string): string {
  return name.replace(
    /(^|-)([a-z])/g,
    (_match, dash: string, letter: string) => dash + letter.toUpperCase(),
  );
}

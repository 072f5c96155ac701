/**
 * The JSON bodies of realm-core's client messages, read as untrusted text: a body that is not
 * JSON, or not of its message's shape, is bad syntax (103).
 */
import { SyncErrorCode, SyncProtocolError } from "@atoll/protocol";

/** BIND's JSON: `{"schemaVersion":N,"sessionReason":0|1}` (1: the fresh file of a client reset). */
export function bindBody(json: string): { schemaVersion: number; clientReset: boolean } {
  const parsed = parseJson(json, "bind");
  const fields =
    typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const version = fields.schemaVersion ?? 0;
  if (!Number.isSafeInteger(version) || (version as number) < 0)
    throw new SyncProtocolError(SyncErrorCode.BadSyntax, "bind has an invalid schemaVersion");
  return { schemaVersion: version as number, clientReset: fields.sessionReason === 1 };
}

/** A subscription set: class name → RQL. */
export function queryBody(json: string): Record<string, string> {
  const parsed = parseJson(json, "query");
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new SyncProtocolError(SyncErrorCode.BadSyntax, "A query body is not a JSON object");
  const body: Record<string, string> = {};
  for (const [table, rql] of Object.entries(parsed)) {
    if (typeof rql !== "string" || table === "")
      throw new SyncProtocolError(SyncErrorCode.BadSyntax, "A query body maps class names to RQL");
    Object.defineProperty(body, table, {
      value: rql,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return body;
}

export function clientErrorText(json: string): string {
  const parsed = parseJson(json, "json_error");
  const message =
    typeof parsed === "object" && parsed !== null
      ? (parsed as Record<string, unknown>).message
      : undefined;
  return typeof message === "string" ? message : json.slice(0, 1000);
}

function parseJson(json: string, what: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new SyncProtocolError(SyncErrorCode.BadSyntax, `The ${what} body is not JSON`);
  }
}

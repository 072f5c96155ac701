/**
 * The HTTPS request an endpoint function receives and what it answers with, on the host side.
 * The request crosses into the sandbox as EJSON (the body as a Binary, so any bytes survive);
 * the answer comes back as `{result, response}`, where `response` is what the function set
 * through `response.setStatusCode/setBody/addHeader/setHeader` (endpointSource.ts).
 */
import { Binary } from "bson";

/**
 * The request as it crosses into the sandbox. Query and headers travel as JSON text, not as
 * EJSON documents: a parameter named `$date` or `$oid` must stay a name, not become a value.
 */
export interface EndpointRequest {
  /** Query parameters, `{name: value}`; a repeated one keeps its last value, as App Services does. */
  readonly queryText: string;
  /** Canonical header names (`Content-Type`), each with its values. */
  readonly headersText: string;
  readonly body?: Binary;
}

export interface EndpointResponse {
  readonly statusCode?: number;
  /** A string or bytes as sent; any other value the function set is sent as JSON. */
  readonly body?: unknown;
  readonly headers: Readonly<Record<string, readonly string[]>>;
}

export interface EndpointOutcome {
  readonly result: unknown;
  readonly response: EndpointResponse;
}

export function endpointRequest(
  query: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, readonly string[]>>,
  body: Uint8Array,
): EndpointRequest {
  return {
    queryText: JSON.stringify(query),
    headersText: JSON.stringify(headers),
    ...(body.length === 0 ? {} : { body: new Binary(body) }),
  };
}

/** The sandbox's `{result, response}`, checked: a function cannot send a malformed answer. */
export function endpointOutcome(value: unknown): EndpointOutcome {
  const outcome = isRecord(value) ? value : {};
  const response = isRecord(outcome.response) ? outcome.response : {};
  const headers: Record<string, string[]> = {};
  if (isRecord(response.headers)) {
    for (const [name, values] of Object.entries(response.headers)) {
      if (Array.isArray(values)) headers[name] = values.map(String);
    }
  }
  const statusCode = typeof response.statusCode === "number" ? response.statusCode : undefined;
  const body = response.body instanceof Binary ? response.body.value() : response.body;
  return {
    result: outcome.result,
    response: {
      ...(statusCode === undefined ? {} : { statusCode }),
      ...(body === undefined ? {} : { body }),
      headers,
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

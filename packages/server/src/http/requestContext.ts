/**
 * `%%request` / `context.request` for a client call, built from the HTTP request the way
 * App Services fills it: headers as arrays of values, the raw query string, the client address.
 */
import type { Context } from "hono";
import { canonicalHeaderName, type RequestContext } from "../callerContext.js";
import type { HttpEnv } from "./HttpDeps.js";

export function requestContextOf(
  c: Context<HttpEnv>,
  service?: { service: string; action: string },
): RequestContext {
  // fromEntries defines own properties, so a header named `__proto__` stays a header.
  const headers: Record<string, string[]> = Object.fromEntries(
    [...c.req.raw.headers].map(([name, value]) => [canonicalHeaderName(name), value.split(/,\s*/)]),
  );
  const url = new URL(c.req.url);
  return {
    remoteIPAddress: c.get("clientAddress"),
    requestHeaders: headers,
    httpMethod: c.req.method,
    rawQueryString: url.search.replace(/^\?/, ""),
    httpReferrer: c.req.header("referer") ?? "",
    httpUserAgent: c.req.header("user-agent") ?? "",
    ...(service === undefined ? {} : service),
  };
}

/**
 * Request bodies and their limits. The size limit is enforced by the app's body-limit
 * middleware while the body streams in, before anything here reads it; the nesting limit
 * before the text is parsed.
 */
import type { Context } from "hono";
import { parseEjsonObject } from "./ejson.js";
import type { HttpDeps } from "./HttpDeps.js";

/** Largest accepted request body by default: 18 MiB, as App Services. */
export const DEFAULT_BODY_LIMIT_BYTES = 18 * 1024 * 1024;

/**
 * Deepest accepted nesting of arrays and objects in a request body by default: room for a
 * 100-level document (the BSON document limit) inside the request's own envelope and EJSON
 * wrappers.
 */
export const DEFAULT_BODY_DEPTH_LIMIT = 128;

export function bodyDepthLimit(deps: HttpDeps): number {
  return deps.bodyDepthLimit ?? DEFAULT_BODY_DEPTH_LIMIT;
}

/** The request body as an EJSON object; an absent body is `{}`. */
export async function ejsonBody(c: Context, deps: HttpDeps): Promise<Record<string, unknown>> {
  return parseEjsonObject(await c.req.text(), bodyDepthLimit(deps));
}

/**
 * The node request behind a hono context, when the app is served over node's HTTP (tests may
 * call the app directly, without one).
 */
import type { Context } from "hono";
import type { IncomingMessage } from "node:http";

export function incomingOf(c: Context): IncomingMessage | undefined {
  const env: unknown = c.env;
  return typeof env === "object" && env !== null
    ? (env as { incoming?: IncomingMessage }).incoming
    : undefined;
}

/**
 * Whether the client is still sending the request body while the answer is ready (a body over
 * the limit, a request refused before its body was read). Such a connection must not carry
 * another request: what is left of this body would have to be read away first, and the node
 * adapter gives up on that after a while by closing the socket, under the next request.
 */
export function bodyStillArriving(c: Context): boolean {
  const incoming = incomingOf(c);
  return incoming !== undefined && !incoming.complete;
}

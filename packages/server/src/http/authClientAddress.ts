/**
 * The client address that failed logins and confirmation/reset sends are counted by: the
 * peer of the TCP connection. Behind a reverse proxy that is the proxy, so all clients share
 * one count per address; the per-account limits still hold.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

export function authClientAddress(c: Context): string {
  const env: unknown = c.env;
  const served = typeof env === "object" && env !== null && "incoming" in env;
  return (served ? getConnInfo(c).remote.address : undefined) ?? "unknown";
}

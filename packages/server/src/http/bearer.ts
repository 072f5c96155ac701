/**
 * Reading the caller from the request. Access-token routes accept the token from
 * `Authorization: Bearer` or (for realm-core's streaming requests) the `baas_at` query
 * parameter; a missing token is 401 `InvalidSession`, like an expired one.
 */
import { AppError } from "@atoll/protocol";
import type { Context } from "hono";
import type { Caller } from "../auth/AuthService.js";
import type { HttpDeps, HttpEnv } from "./HttpDeps.js";

/** The token of an `Authorization: Bearer` header, else of a `baas_at` query parameter, if any. */
export function tokenOf(
  authorization: string | undefined,
  queryToken: string | null | undefined,
): string | undefined {
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  const token = match?.[1] ?? queryToken ?? undefined;
  return token === "" ? undefined : token;
}

export function bearerToken(c: Context, allowQuery = false): string {
  const token = tokenOf(
    c.req.header("authorization"),
    allowQuery ? c.req.query("baas_at") : undefined,
  );
  if (token === undefined)
    throw new AppError("InvalidSession", "invalid session: must authenticate first");
  return token;
}

export async function accessCaller(
  c: Context<HttpEnv>,
  deps: HttpDeps,
  allowQuery = false,
): Promise<Caller> {
  const caller = await deps.auth.authenticate(bearerToken(c, allowQuery));
  c.set("caller", caller);
  return caller;
}

export async function refreshCaller(c: Context<HttpEnv>, deps: HttpDeps): Promise<Caller> {
  const caller = await deps.auth.authenticateRefresh(bearerToken(c));
  c.set("caller", caller);
  return caller;
}

/**
 * What a sandbox context is told about its call (`context.user`, `context.request`,
 * `context.values`, `context.environment`, `context.app`, the service names and whether it
 * runs as system), as the EJSON text the sandbox runtime reads at start.
 */
import { randomBytes } from "node:crypto";
import type { RequestContext, UserContext } from "../callerContext.js";
import type { AppConfig } from "../config/types.js";
import { encodeCanonical } from "./ejsonCodec.js";

export interface CallIdentity {
  /** `context.user`: the caller, or the user named by `run_as_user_id`. */
  readonly user: UserContext;
  /** Data access bypasses rules and schema (`run_as_system`, or internal system calls). */
  readonly system: boolean;
}

export interface SandboxLimits {
  /** Largest return value, in characters of canonical EJSON. */
  readonly resultChars: number;
}

/** The parts that are the same for every call of the app, built once. */
export function appInit(config: AppConfig, limits: SandboxLimits): Record<string, unknown> {
  return {
    values: Object.fromEntries(config.values),
    environment: { tag: config.environment, values: config.environmentValues },
    app: { id: config.appId, clientAppId: config.appId, name: config.name },
    services: [...config.dataSources.keys()],
    limits,
  };
}

/** `endpoint`: the call is an HTTPS endpoint's, `(request, response)` (see endpointSource.ts). */
export function initText(
  app: Record<string, unknown>,
  identity: CallIdentity,
  request: RequestContext | undefined,
  endpoint = false,
): string {
  return encodeCanonical({
    ...app,
    endpoint,
    user: identity.user,
    request: request ?? {},
    runningAsSystem: identity.system,
    // Each context starts its ObjectId counter at a random point, as a process would.
    objectIdCounterSeed: randomBytes(3).toString("hex"),
  });
}

/**
 * Custom-function authentication: the app's auth function receives the login payload and
 * returns the external id (a string, or `{ id, name? }`). It runs as system; whatever it
 * throws reaches the client as 401 with the thrown message.
 */
import { AppError } from "@atoll/protocol";
import { SYSTEM_USER } from "../../callerContext.js";
import type { AuthProviderConfig } from "../../config/types.js";
import type { FunctionRunner } from "../FunctionRunner.js";
import type { ResolvedIdentity } from "./ResolvedIdentity.js";

function externalId(result: unknown): { id: string; name?: string } {
  if (typeof result === "string" && result !== "") return { id: result };
  if (typeof result === "object" && result !== null) {
    const { id, name } = result as Record<string, unknown>;
    if (typeof id === "string" && id !== "")
      return typeof name === "string" ? { id, name } : { id };
  }
  throw new AppError(
    "AuthError",
    "authentication function must return a non-empty id string or an object with an 'id'",
  );
}

export async function resolveCustomFunction(
  payload: Record<string, unknown>,
  provider: AuthProviderConfig,
  functions: FunctionRunner,
): Promise<ResolvedIdentity> {
  const functionName = provider.config.authFunctionName;
  if (typeof functionName !== "string" || functionName === "") {
    throw new AppError(
      "AuthProviderNotFound",
      `auth provider '${provider.name}' names no authFunctionName`,
    );
  }
  let result: unknown;
  try {
    result = await functions.execute(functionName, [payload], SYSTEM_USER, { asSystem: true });
  } catch (error) {
    throw new AppError("AuthError", error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
  const { id, name } = externalId(result);
  return {
    identity: { id, provider_type: provider.type, provider_id: provider.name },
    data: name === undefined ? {} : { name },
  };
}

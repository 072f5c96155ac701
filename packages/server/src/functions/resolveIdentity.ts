/**
 * Who a function runs as, from its configuration and its caller (App Services "authentication"
 * settings): system context is inherited from a system caller and granted by `run_as_system`;
 * `run_as_user_id` names a user; `run_as_user_id_script_source` is a function source that
 * returns a user id or `{ runAsSystem: true }`; otherwise the function runs as its caller.
 */
import { AppError } from "@atoll/protocol";
import type { UserContext } from "../callerContext.js";
import type { FunctionDefinition } from "../config/types.js";
import { decodeWrapped } from "./ejsonCodec.js";
import type { CallIdentity } from "./sandboxInit.js";

export interface IdentityServices {
  readonly lookupUser: ((id: string) => Promise<UserContext | undefined>) | undefined;
  /** Runs a script source as the caller; resolves to EJSON `{v}` of its result. */
  readonly runScript: (
    script: Pick<FunctionDefinition, "name" | "source" | "file">,
  ) => Promise<string>;
}

export async function resolveIdentity(
  definition: FunctionDefinition,
  caller: CallIdentity,
  services: IdentityServices,
): Promise<CallIdentity> {
  if (caller.system || definition.run_as_system) return { user: caller.user, system: true };
  if (definition.run_as_user_id !== "") {
    return {
      user: await findUser(definition.name, definition.run_as_user_id, services),
      system: false,
    };
  }
  if (definition.run_as_user_id_script_source.trim() !== "") {
    const text = await services.runScript({
      name: `${definition.name} (run_as_user_id_script_source)`,
      source: definition.run_as_user_id_script_source,
      file: `functions/config.json: run_as_user_id_script_source of '${definition.name}'`,
    });
    const chosen = decodeWrapped(text, `the run_as_user_id_script_source of '${definition.name}'`);
    if (typeof chosen === "string" && chosen !== "")
      return { user: await findUser(definition.name, chosen, services), system: false };
    if (
      chosen !== null &&
      typeof chosen === "object" &&
      (chosen as { runAsSystem?: unknown }).runAsSystem === true
    ) {
      return { user: caller.user, system: true };
    }
    throw new AppError(
      "FunctionExecutionError",
      `the run_as_user_id_script_source of function '${definition.name}' must return a user id or { runAsSystem: true }`,
    );
  }
  return caller;
}

async function findUser(
  functionName: string,
  id: string,
  services: IdentityServices,
): Promise<UserContext> {
  if (services.lookupUser === undefined) {
    throw new AppError(
      "FunctionExecutionError",
      `function '${functionName}' runs as user '${id}', but the server has no user lookup`,
    );
  }
  const user = await services.lookupUser(id);
  if (user === undefined)
    throw new AppError(
      "FunctionExecutionError",
      `function '${functionName}' runs as user '${id}', who does not exist`,
    );
  return user;
}

import type { UserContext, RequestContext } from "../callerContext.js";

/**
 * The part of the function service that auth and HTTP call (FunctionService implements it):
 * `execute` for internal calls (auth, confirmation and reset functions, on-user-creation),
 * `callFromClient` for `functions/call`, which also enforces `private` and `can_evaluate`.
 */
export interface FunctionRunner {
  execute(
    name: string,
    args: unknown[],
    user: UserContext,
    options?: { asSystem?: boolean; request?: RequestContext },
  ): Promise<unknown>;
  callFromClient(
    name: string,
    args: unknown[],
    user: UserContext,
    request: RequestContext,
  ): Promise<{ result: unknown; logs: string[] }>;
}

/**
 * `functions/call`: app functions (through the function service, which enforces `private`
 * and `can_evaluate`) and data-source service actions (through the data layer under the
 * caller's rules). The GET form streams `watch` results; its request is base64 JSON in
 * `baas_request`. Every call is logged with its outcome and the function's console output.
 */
import { AppError } from "@atoll/protocol";
import { Hono } from "hono";
import type { Context } from "hono";
import type { Caller } from "../auth/AuthService.js";
import type { RequestContext } from "../callerContext.js";
import type { DataService } from "../data/types.js";
import { accessCaller } from "./bearer.js";
import { bodyDepthLimit, ejsonBody } from "./body.js";
import { parseEjsonObject } from "./ejson.js";
import type { HttpDeps, HttpEnv } from "./HttpDeps.js";
import { requestContextOf } from "./requestContext.js";
import { ejsonResponse } from "./responses.js";
import { runServiceAction, targetCollection } from "./serviceActions.js";
import { sseResponse } from "./watchStream.js";

interface FunctionCall {
  readonly name: string;
  readonly args: unknown[];
  readonly service: string | undefined;
}

function functionCall(body: Record<string, unknown>): FunctionCall {
  const { name, arguments: args, service } = body;
  if (typeof name !== "string" || name === "")
    throw new AppError("MissingParameter", "expected a function 'name'");
  if (args !== undefined && !Array.isArray(args))
    throw new AppError("InvalidParameter", "'arguments' must be an array");
  if (service !== undefined && typeof service !== "string")
    throw new AppError("InvalidParameter", "'service' must be a string");
  return { name, args: (args as unknown[] | undefined) ?? [], service };
}

function decodeStreamingRequest(encoded: string | undefined, depthLimit: number): FunctionCall {
  if (encoded === undefined || encoded === "")
    throw new AppError("MissingParameter", "expected a 'baas_request' query parameter");
  const json = Buffer.from(encoded, "base64").toString("utf8");
  return functionCall(parseEjsonObject(json, depthLimit, "baas_request"));
}

function userData(
  deps: HttpDeps,
  caller: Caller,
  service: string,
  request: RequestContext,
): DataService {
  return deps.data.forUser(caller.context, {
    service,
    request,
    callFunction: (name, args) => deps.functions.execute(name, args, caller.context, { request }),
  });
}

function checkService(deps: HttpDeps, service: string): void {
  if (!deps.config.dataSources.has(service))
    throw new AppError("ServiceNotFound", `service not found: '${service}'`);
}

export function functionRoutes(deps: HttpDeps): Hono<HttpEnv> {
  const routes = new Hono<HttpEnv>();

  const logCall = (caller: Caller, call: FunctionCall, error: unknown, logs: string[] = []) =>
    deps.log.record({
      type: "function",
      userId: caller.user.id,
      outcome: error === undefined ? "ok" : "error",
      message: `${call.service === undefined ? "function" : `${call.service} action`} ${call.name}${error instanceof Error ? `: ${error.message}` : ""}`,
      details: {
        name: call.name,
        ...(call.service === undefined ? {} : { service: call.service }),
      },
      logs,
    });

  routes.post("/functions/call", async (c) => {
    const caller = await accessCaller(c, deps);
    const call = functionCall(await ejsonBody(c, deps));
    try {
      let result: unknown;
      let logs: string[] = [];
      if (call.service === undefined) {
        ({ result, logs } = await deps.functions.callFromClient(
          call.name,
          call.args,
          caller.context,
          requestContextOf(c),
        ));
      } else {
        checkService(deps, call.service);
        const request = requestContextOf(c, { service: call.service, action: call.name });
        result = await runServiceAction(
          userData(deps, caller, call.service, request),
          call.name,
          call.args,
        );
      }
      const response = ejsonResponse(result);
      await logCall(caller, call, undefined, logs);
      return response;
    } catch (error) {
      await logCall(caller, call, error);
      throw error;
    }
  });

  routes.get("/functions/call", async (c: Context<HttpEnv>) => {
    const caller = await accessCaller(c, deps, true);
    const call = decodeStreamingRequest(c.req.query("baas_request"), bodyDepthLimit(deps));
    if (call.service === undefined || call.name !== "watch") {
      throw new AppError("InvalidParameter", "only the 'watch' service action can be streamed");
    }
    checkService(deps, call.service);
    const request = requestContextOf(c, { service: call.service, action: call.name });
    const { collection, args } = targetCollection(
      userData(deps, caller, call.service, request),
      call.args,
    );
    const ids = Array.isArray(args.ids) ? (args.ids as unknown[]) : undefined;
    const filter =
      typeof args.filter === "object" && args.filter !== null
        ? (args.filter as Record<string, unknown>)
        : undefined;
    const stream = collection.watch({
      ...(ids === undefined ? {} : { ids }),
      ...(filter === undefined ? {} : { filter }),
    });
    await logCall(caller, call, undefined);
    return sseResponse(stream, (error) => {
      if (error !== undefined) void logCall(caller, call, error);
    });
  });

  return routes;
}

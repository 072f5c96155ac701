/**
 * HTTPS endpoints (`https_endpoints/config.json`), served as App Services serves them, under
 * `/app/<appId>/endpoint<route>`: the route and method (or "*") pick the endpoint; a disabled
 * or unknown route is 404, a known route with another method 405. The request is validated
 * (endpointValidation.ts), its caller found (endpointCaller.ts), then the function runs as
 * `(request, response)` with `can_evaluate` checked and private functions allowed.
 *
 * The answer: with `respond_result` false, 204 and no body. Otherwise what the function set
 * on `response` (status, default 200; headers; body as sent), or, when it set no body, its
 * return value as JSON: relaxed Extended JSON, canonical when the request's `Accept` asks for
 * `application/ejson`.
 */
import { AppError } from "@atoll/protocol";
import { EJSON } from "bson";
import { Hono } from "hono";
import type { Context } from "hono";
import type { EndpointConfig } from "../config/types.js";
import { endpointRequest, type EndpointOutcome } from "../functions/endpointCall.js";
import { endpointCaller } from "./endpointCaller.js";
import {
  checkEndpointValidation,
  SECRET_QUERY_PARAMETER,
  SIGNATURE_HEADER,
} from "./endpointValidation.js";
import type { EndpointFunctionRunner, HttpDeps, HttpEnv } from "./HttpDeps.js";
import { requestContextOf } from "./requestContext.js";
import { emptyResponse } from "./responses.js";

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export const ENDPOINT_PATH = "/app/:appId/endpoint/*";

export function endpointRoutes(deps: HttpDeps, runner: EndpointFunctionRunner): Hono<HttpEnv> {
  const routes = new Hono<HttpEnv>();
  const endpoints = (deps.config.endpoints ?? []).filter((endpoint) => !endpoint.disabled);
  routes.all(ENDPOINT_PATH, async (c) => {
    if (c.req.param("appId") !== deps.config.appId)
      throw new AppError(
        "AppNotFound",
        `cannot find app using Client App ID '${c.req.param("appId") ?? ""}'`,
      );
    const route = c.req.path.slice(`/app/${deps.config.appId}/endpoint`.length);
    const endpoint = chooseEndpoint(endpoints, route, c.req.method);
    const definition = deps.config.functions.get(endpoint.functionName);
    if (definition === undefined)
      throw new AppError("FunctionNotFound", `function not found: '${endpoint.functionName}'`);
    const url = new URL(c.req.url);
    const body = new Uint8Array(await c.req.arrayBuffer());
    checkEndpointValidation(endpoint, url.searchParams, c.req.header(SIGNATURE_HEADER), body);
    const user = await endpointCaller(c, deps, endpoint, definition);
    const httpRequest = { ...requestContextOf(c), webhookUrl: url.pathname };
    const outcome = await runner.callFromEndpoint(
      endpoint.functionName,
      endpointRequest(queryOf(url.searchParams, endpoint), httpRequest.requestHeaders, body),
      user,
      httpRequest,
    );
    return endpoint.respondResult ? endpointResponse(c, outcome) : emptyResponse(204);
  });
  return routes;
}

function chooseEndpoint(
  endpoints: readonly EndpointConfig[],
  route: string,
  method: string,
): EndpointConfig {
  const onRoute = endpoints.filter((endpoint) => endpoint.route === route);
  if (onRoute.length === 0) throw new AppError("NotFound", `no endpoint at ${route}`);
  const chosen =
    onRoute.find((endpoint) => endpoint.httpMethod === method) ??
    onRoute.find((endpoint) => endpoint.httpMethod === "*");
  if (chosen === undefined)
    throw new AppError("MethodNotAllowed", `${method} is not allowed on endpoint ${route}`);
  return chosen;
}

/** The query as the function sees it: the validation secret is not passed on. */
function queryOf(params: URLSearchParams, endpoint: EndpointConfig): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of params) {
    if (endpoint.validationMethod === "SECRET_AS_QUERY_PARAM" && name === SECRET_QUERY_PARAMETER)
      continue;
    Object.defineProperty(query, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return query;
}

function endpointResponse(c: Context<HttpEnv>, outcome: EndpointOutcome): Response {
  const { response, result } = outcome;
  const headers = new Headers();
  try {
    for (const [name, values] of Object.entries(response.headers))
      for (const value of values) headers.append(name, value);
  } catch (error) {
    throw new AppError(
      "FunctionExecutionError",
      `the endpoint's response has an invalid header: ${String(error)}`,
    );
  }
  const status = response.statusCode ?? 200;
  let body: string | Uint8Array | null;
  if (NULL_BODY_STATUSES.has(status)) {
    body = null;
  } else if (response.body !== undefined) {
    body =
      typeof response.body === "string" || response.body instanceof Uint8Array
        ? response.body
        : JSON.stringify(response.body);
  } else if (result === undefined) {
    body = null;
  } else {
    const canonical = (c.req.header("accept") ?? "").includes("application/ejson");
    body = EJSON.stringify(result, { relaxed: !canonical });
    if (!headers.has("content-type"))
      headers.set("Content-Type", canonical ? "application/ejson" : "application/json");
  }
  return new Response(body, { status, headers });
}

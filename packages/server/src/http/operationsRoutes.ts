/**
 * What a load balancer and a monitoring system ask a node, outside the App Services API:
 * - `GET /healthz`: liveness. 200 while the process serves HTTP at all; touches nothing else,
 *   so a slow database never gets a node restarted.
 * - `GET /readyz`: readiness. 200 when the app's configuration is loaded (it is, once the
 *   server listens), storage answers a read, and the node is not draining; else 503
 *   `ServiceUnavailable`, so the balancer sends new work to other nodes.
 * - `GET /metrics`: Prometheus text (see `ServerMetrics`).
 * While the node drains, every other request is answered 503 at once (with `Connection:
 * close`), and the requests already under way are counted until they are answered.
 */
import { AppError } from "@atoll/protocol";
import type { Context, Next } from "hono";
import { Hono } from "hono";
import { routePath } from "hono/route";
import type { NodeState } from "../cluster/NodeState.js";
import { CONTENT_TYPE, type ServerMetrics } from "../metrics/ServerMetrics.js";
import type { HttpEnv } from "./HttpDeps.js";
import { errorResponse, jsonResponse } from "./responses.js";

export interface OperationsDeps {
  readonly node: NodeState;
  readonly metrics: ServerMetrics;
  /** Resolves when storage answers a read; rejects otherwise. */
  readonly storageReachable: () => Promise<void>;
}

const OPERATIONS_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz", "/metrics"]);

export function operationsRoutes(deps: OperationsDeps): Hono<HttpEnv> {
  const routes = new Hono<HttpEnv>();
  routes.get("/healthz", () => jsonResponse({ status: "ok" }));
  routes.get("/readyz", async () => {
    if (deps.node.isDraining)
      return errorResponse(new AppError("ServiceUnavailable", "this node is draining"));
    try {
      await deps.storageReachable();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return errorResponse(new AppError("ServiceUnavailable", `storage unreachable: ${reason}`));
    }
    return jsonResponse({ status: "ready" });
  });
  routes.get(
    "/metrics",
    async () =>
      new Response(await deps.metrics.text(), { headers: { "Content-Type": CONTENT_TYPE } }),
  );
  return routes;
}

/** The outermost middleware: refuses work while draining, counts requests in flight and by route. */
export function operationsMiddleware(deps: OperationsDeps) {
  return async (c: Context<HttpEnv>, next: Next): Promise<Response | void> => {
    const end = deps.node.begin();
    try {
      if (deps.node.isDraining && !OPERATIONS_PATHS.has(c.req.path)) {
        const refused = errorResponse(
          new AppError("ServiceUnavailable", "this node is shutting down; retry on another node"),
        );
        refused.headers.set("Connection", "close");
        c.res = refused;
        return;
      }
      await next();
    } finally {
      deps.metrics.httpRequest(routeLabel(c), c.req.method, c.res.status);
      end();
    }
  };
}

/** The route pattern that answered (`/api/client/v2.0/app/:appId/functions/call`), never the concrete path. */
function routeLabel(c: Context<HttpEnv>): string {
  const pattern = routePath(c, -1);
  return pattern.endsWith("*") ? "unmatched" : pattern;
}

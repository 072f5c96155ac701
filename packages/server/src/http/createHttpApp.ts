/**
 * The App Services client HTTP API v2.0 as one hono app: a plain `Request → Response`
 * handler, served over node's HTTP by the server and callable directly in tests.
 *
 * Cross-cutting behaviour lives here: CORS (any origin, or only `allowed_request_origins`),
 * the body limit (413 `PayloadTooLarge` as a JSON error), the App Services error shape for
 * every failure, 404 JSON for unknown routes and apps, and one `request` log entry per request.
 */
import { AppError } from "@atoll/protocol";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { authRoutes } from "./authRoutes.js";
import { DEFAULT_BODY_LIMIT_BYTES } from "./body.js";
import { endpointRoutes } from "./endpointRoutes.js";
import { clientAddressOf, publicOrigin } from "./forwarded.js";
import { functionRoutes } from "./functionRoutes.js";
import { operationsMiddleware, operationsRoutes } from "./operationsRoutes.js";
import { bodyStillArriving } from "./incoming.js";
import type { HttpDeps, HttpEnv } from "./HttpDeps.js";
import { asAppError, errorResponse, jsonResponse } from "./responses.js";
import { sessionRoutes } from "./sessionRoutes.js";

export const API_PREFIX = "/api/client/v2.0";
const KNOWN_PATHS = [
  "/app/:appId/location",
  "/app/:appId/functions/call",
  "/app/:appId/auth/providers/:provider/:action",
  "/app/:appId/auth/providers/:provider/:action/:step",
  "/auth/session",
  "/auth/profile",
  "/auth/delete",
  "/auth/api_keys",
  "/auth/api_keys/:id",
  "/auth/api_keys/:id/:state",
];

function originAllowed(deps: HttpDeps, origin: string): boolean {
  const allowed = deps.config.allowedRequestOrigins;
  return allowed.length === 0 || allowed.includes(origin);
}

export function createHttpApp(deps: HttpDeps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  const appId = deps.config.appId;
  const trustProxy = deps.trustProxy ?? false;

  if (deps.operations) app.use("*", operationsMiddleware(deps.operations));
  app.use("*", async (c, next) => {
    c.set("caller", undefined);
    c.set("clientAddress", clientAddressOf(c, trustProxy));
    await next();
    if (bodyStillArriving(c)) c.res.headers.set("Connection", "close");
    const caller = c.get("caller");
    const failed = c.res.status >= 400;
    deps.log.recordInBackground({
      type: "request",
      ...(caller === undefined ? {} : { userId: caller.user.id }),
      outcome: failed ? "error" : "ok",
      message: `${c.req.method} ${c.req.path} ${c.res.status}`,
      details: { method: c.req.method, path: c.req.path, status: c.res.status },
    });
  });

  app.use("*", async (c, next) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && !originAllowed(deps, origin)) {
      throw new AppError("DomainNotAllowed", `origin '${origin}' is not allowed for this app`);
    }
    await next();
  });
  app.use(
    "*",
    cors({
      origin: (origin) => (originAllowed(deps, origin) ? origin : null),
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      // Beside the API's own headers, the credentials and signature HTTPS endpoints read, so
      // an app in a browser can call its endpoints as it could on App Services.
      allowHeaders: [
        "Authorization",
        "Content-Type",
        "Accept",
        "X-Requested-With",
        "apiKey",
        "email",
        "password",
        "jwtTokenString",
        "Endpoint-Signature",
      ],
      exposeHeaders: ["Content-Type", "X-Baas-Location"],
      maxAge: 86400,
    }),
  );
  app.use(
    "*",
    bodyLimit({
      maxSize: deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
      onError: () => {
        throw new AppError("PayloadTooLarge", "request body is too large");
      },
    }),
  );

  const appScoped = new Hono<HttpEnv>();
  appScoped.use("*", async (c, next) => {
    if (c.req.param("appId") !== appId)
      throw new AppError(
        "AppNotFound",
        `cannot find app using Client App ID '${c.req.param("appId") ?? ""}'`,
      );
    await next();
  });
  appScoped.get("/location", (c) => {
    const origin = publicOrigin(c, trustProxy);
    return jsonResponse({
      deployment_model: "GLOBAL",
      location: "US-VA",
      hostname: origin.http,
      ws_hostname: origin.ws,
      sync_route: `${origin.ws}${API_PREFIX}/app/${appId}/realm-sync`,
    });
  });
  appScoped.route("/", authRoutes(deps));
  appScoped.route("/", functionRoutes(deps));

  if (deps.operations) app.route("/", operationsRoutes(deps.operations));
  app.route(`${API_PREFIX}/app/:appId`, appScoped);
  app.route(API_PREFIX, sessionRoutes(deps));
  if (deps.endpoints !== undefined) app.route("/", endpointRoutes(deps, deps.endpoints));
  // Registered last, these catch only the methods the routes above do not take.
  for (const path of KNOWN_PATHS) {
    app.all(`${API_PREFIX}${path}`, (c) => {
      throw new AppError("MethodNotAllowed", `${c.req.method} is not allowed on ${c.req.path}`);
    });
  }

  app.notFound((c) =>
    errorResponse(new AppError("NotFound", `no such route: ${c.req.method} ${c.req.path}`)),
  );
  app.onError((error, c) => {
    const appError = asAppError(error);
    if (appError.code === "InternalServerError") {
      const caller = c.get("caller");
      deps.log.recordInBackground({
        type: "error",
        ...(caller === undefined ? {} : { userId: caller.user.id }),
        outcome: "error",
        message: `${c.req.method} ${c.req.path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      });
    }
    return errorResponse(appError);
  });
  return app;
}

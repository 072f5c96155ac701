/**
 * Routes that are not app-scoped (`/auth/...`): the app and user come from the bearer token.
 * Session and API-key routes take the refresh token; profile and delete the access token.
 */
import { AppError } from "@atoll/protocol";
import { Hono } from "hono";
import { accessCaller, refreshCaller } from "./bearer.js";
import { ejsonBody } from "./body.js";
import type { HttpDeps, HttpEnv } from "./HttpDeps.js";
import { emptyResponse, jsonResponse } from "./responses.js";

export function sessionRoutes(deps: HttpDeps): Hono<HttpEnv> {
  const routes = new Hono<HttpEnv>();

  routes.post("/auth/session", async (c) => {
    const caller = await refreshCaller(c, deps);
    const result = await deps.auth.refresh(caller);
    await deps.log.record({
      type: "auth",
      userId: caller.user.id,
      outcome: "ok",
      message: "refreshed access token",
    });
    return jsonResponse(result, 201);
  });

  routes.delete("/auth/session", async (c) => {
    const caller = await refreshCaller(c, deps);
    await deps.auth.logOut(caller);
    await deps.log.record({
      type: "auth",
      userId: caller.user.id,
      outcome: "ok",
      message: "logged out",
    });
    return emptyResponse(204);
  });

  routes.get("/auth/profile", async (c) =>
    jsonResponse(deps.auth.profile(await accessCaller(c, deps))),
  );

  routes.delete("/auth/delete", async (c) => {
    const caller = await accessCaller(c, deps);
    await deps.auth.deleteUser(caller.user.id);
    await deps.log.record({
      type: "auth",
      userId: caller.user.id,
      outcome: "ok",
      message: "deleted user",
    });
    return emptyResponse(204);
  });

  routes.post("/auth/api_keys", async (c) => {
    const caller = await refreshCaller(c, deps);
    if (caller.user.identities.every((identity) => identity.provider_type === "anon-user")) {
      throw new AppError("InvalidParameter", "anonymous users cannot create API keys");
    }
    const body = await ejsonBody(c, deps);
    return jsonResponse(await deps.auth.apiKeys.create(caller.user.id, body.name), 201);
  });

  routes.get("/auth/api_keys", async (c) => {
    const caller = await refreshCaller(c, deps);
    return jsonResponse(await deps.auth.apiKeys.list(caller.user.id));
  });

  routes.get("/auth/api_keys/:id", async (c) => {
    const caller = await refreshCaller(c, deps);
    return jsonResponse(await deps.auth.apiKeys.get(caller.user.id, c.req.param("id")));
  });

  routes.delete("/auth/api_keys/:id", async (c) => {
    const caller = await refreshCaller(c, deps);
    await deps.auth.deleteApiKey(caller.user.id, c.req.param("id"));
    return emptyResponse(204);
  });

  for (const state of ["enable", "disable"] as const) {
    routes.put(`/auth/api_keys/:id/${state}`, async (c) => {
      const caller = await refreshCaller(c, deps);
      await deps.auth.setApiKeyDisabled(caller.user.id, c.req.param("id"), state === "disable");
      return emptyResponse(204);
    });
  }

  return routes;
}

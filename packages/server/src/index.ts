/**
 * @atoll/server's public API: start a server for an App Services app export, or embed its
 * parts (the config loader, the data layer, the log store, the HTTP API as a fetch handler).
 */
export { AtollServer } from "./AtollServer.js";
export type { AtollServerOptions } from "./AtollServer.js";
export { createHttpApp, API_PREFIX } from "./http/createHttpApp.js";
export type { HttpDeps } from "./http/HttpDeps.js";
export { AuthService } from "./auth/AuthService.js";
export type { Caller, LoginResult } from "./auth/AuthService.js";
export { loadAppConfig } from "./config/loadAppConfig.js";
export { ConfigError } from "./config/ConfigError.js";
export type { AppConfig } from "./config/types.js";
export { DataLayer } from "./data/DataLayer.js";
export type { Collection, ChangeEvent, DataService, Database, Document } from "./data/types.js";
export { LogStore } from "./logs/LogStore.js";
export type { LogEntry, LogQuery } from "./logs/LogEntry.js";
export { SYSTEM_USER } from "./callerContext.js";
export type { RequestContext, UserContext } from "./callerContext.js";

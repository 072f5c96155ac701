/**
 * The composition root: opens storage, loads the app export, and wires the data layer, the
 * function sandbox, auth, logs and the HTTP API together. The CLI's `serve` and the tests
 * start servers through `AtollServer.start`.
 */
import { AuthService, userContextOf } from "./auth/AuthService.js";
import { AuthThrottle, type AuthThrottleLimits } from "./auth/AuthThrottle.js";
import type { OAuthProviderType } from "./auth/providers/oauthIdToken.js";
import { readCustomUserData } from "./auth/customUserData.js";
import { UserStore } from "./auth/UserStore.js";
import { loadAppConfig } from "./config/loadAppConfig.js";
import type { AppConfig } from "./config/types.js";
import { DataLayer } from "./data/DataLayer.js";
import type { QueryLimits } from "./data/queryLimits.js";
import type { FunctionHttpOptions } from "./functions/functionHttp.js";
import { FunctionService } from "./functions/FunctionService.js";
import { createHttpApp } from "./http/createHttpApp.js";
import { listen } from "./http/listen.js";
import type { Listening } from "./http/listen.js";
import { ServerLog } from "./http/ServerLog.js";
import { createConsoleLogger, isLogLevel } from "./logs/consoleLogger.js";
import { LogStore } from "./logs/LogStore.js";
import { accountLinkDelivery, type AccountMailOptions } from "./mail/accountLinkDelivery.js";
import { openStorage } from "./storage/openStorage.js";
import type { StorageEngine } from "./storage/StorageEngine.js";
import { SyncEndpoint } from "./sync/service/SyncEndpoint.js";
import { SyncService, type SyncServiceOptions } from "./sync/service/SyncService.js";
import type { TriggerClock } from "./triggers/TriggerClock.js";
import { TriggerService } from "./triggers/TriggerService.js";
import { NodeState } from "./cluster/NodeState.js";
import { ServerMetrics } from "./metrics/ServerMetrics.js";

/** Read by readiness: a namespace nothing writes, so the probe costs one indexed lookup. */
const READINESS_PROBE = { db: "__atoll_health", coll: "probe" };

export interface AtollServerOptions {
  readonly appDir: string;
  /** The environment whose values apply, over root_config.json's `environment`. */
  readonly environment?: string;
  /** 0 picks a free port. Default 8080. */
  readonly port?: number;
  readonly host?: string;
  /** `sqlite:<file>`, `memory` (the default) or `postgres://…` (see `openStorage`). */
  readonly storage?: string;
  /**
   * An engine the caller opened and closes, instead of `storage`: several servers on one
   * engine behave as nodes on one database (how the tests run a cluster in one process).
   */
  readonly storageEngine?: StorageEngine;
  /** Wall-time bound of one function call; App Services' default is 300 000 ms. */
  readonly functionTimeoutMs?: number;
  /** The hosts functions' `context.http` may reach, and its bounds (default: off). */
  readonly functionsHttp?: FunctionHttpOptions;
  /** debug | info | warn | error | silent (default info). */
  readonly logLevel?: string;
  /** Bounds on data-API queries from users (data/queryLimits.ts has the defaults). */
  readonly queryLimits?: Partial<QueryLimits>;
  /**
   * A reverse proxy stands in front: believe its `X-Forwarded-Host`, `-Proto` and `-For`
   * headers (default false: they are ignored).
   */
  readonly trustProxy?: boolean;
  /** Largest accepted HTTP request body in bytes (default 18 MiB). */
  readonly bodyLimitBytes?: number;
  /** Deepest accepted nesting of arrays and objects in an HTTP request body (default 128). */
  readonly bodyDepthLimit?: number;
  /** Where Google's, Apple's and Facebook's ID-token signing keys are fetched from instead. */
  readonly oauthJwksUrls?: Partial<Record<OAuthProviderType, string>>;
  /** How confirmation and reset links are mailed (none configured: sending them fails). */
  readonly mail?: AccountMailOptions;
  /** Limits on failed logins and confirmation/reset sends, and the clock they are counted by. */
  readonly authThrottle?: { readonly limits?: AuthThrottleLimits; readonly now?: () => number };
  /**
   * Sync tuning: objects per bootstrap download, largest accepted sync frame in bytes, the
   * clock client file expiry is measured by, time between history compactions, bounds on
   * uploaded changesets.
   */
  readonly sync?: Pick<
    SyncServiceOptions,
    "bootstrapBatchSize" | "maxMessageBytes" | "now" | "compactionIntervalMs" | "limits"
  > & {
    /** Time between re-checks of every sync connection's user and session (default 30 s). */
    readonly accessSweepMs?: number;
  };
  /** The clock scheduled triggers and trigger claims go by (default: the system clock). */
  readonly triggerClock?: TriggerClock;
}

export class AtollServer {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly url: string,
    readonly config: AppConfig,
    readonly data: DataLayer,
    readonly logs: LogStore,
    readonly auth: AuthService,
    private readonly parts: {
      listening: Listening;
      log: ServerLog;
      functions: FunctionService;
      storage: StorageEngine;
      ownsStorage: boolean;
      node: NodeState;
      sync: { service: SyncService; endpoint: SyncEndpoint } | undefined;
      triggers: TriggerService;
    },
  ) {}

  /** The app's triggers (`triggers/*.json`). */
  get triggers(): TriggerService {
    return this.parts.triggers;
  }

  /** The app's flexible sync, when its export configures it. */
  get sync(): SyncService | undefined {
    return this.parts.sync?.service;
  }

  get appId(): string {
    return this.config.appId;
  }

  static async start(options: AtollServerOptions): Promise<AtollServer> {
    const config = await loadAppConfig(
      options.appDir,
      options.environment === undefined ? {} : { environment: options.environment },
    );
    const shared = options.storageEngine;
    const storage = shared ?? (await openStorage(options.storage ?? "memory"));
    let functions: FunctionService | undefined;
    let triggers: TriggerService | undefined;
    try {
      const data = new DataLayer(storage, config, { queryLimits: options.queryLimits });
      const logs = new LogStore(data);
      const node = new NodeState();
      const metrics = new ServerMetrics(
        new Set(config.authProviders.keys()),
        () => node.requestsInFlight,
      );
      const log = new ServerLog(
        logs,
        createConsoleLogger(isLogLevel(options.logLevel) ? options.logLevel : "info"),
        (entry) => metrics.observe(entry),
      );
      const users = new UserStore(data.system());
      functions = new FunctionService({
        config,
        data,
        timeoutMs: options.functionTimeoutMs ?? 300_000,
        ...(options.functionsHttp === undefined ? {} : { http: options.functionsHttp }),
        log: (entry) => log.recordInBackground(entry),
        lookupUser: async (id) => {
          const user = await users.get(id);
          if (user === undefined) return undefined;
          return userContextOf(
            user,
            await readCustomUserData(data.system(), config.customUserData, id),
          );
        },
      });
      triggers = new TriggerService({
        config,
        storage,
        functions,
        log,
        ...(options.triggerClock === undefined ? {} : { clock: options.triggerClock }),
      });
      const auth = await AuthService.create({
        config,
        system: data.system(),
        functions,
        events: triggers.auth,
        deliverLink: accountLinkDelivery(options.mail ?? {}),
        throttle: new AuthThrottle(options.authThrottle?.limits, options.authThrottle?.now),
        ...(options.oauthJwksUrls === undefined ? {} : { oauthJwksUrls: options.oauthJwksUrls }),
      });
      const app = createHttpApp({
        config,
        auth,
        data,
        functions,
        endpoints: functions,
        log,
        trustProxy: options.trustProxy ?? false,
        operations: {
          node,
          metrics,
          storageReachable: async () => void (await storage.get(READINESS_PROBE, "readiness")),
        },
        ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
        ...(options.bodyDepthLimit === undefined ? {} : { bodyDepthLimit: options.bodyDepthLimit }),
      });
      const syncService = await SyncService.start({
        config,
        storage,
        auth,
        log,
        functions,
        metrics,
        ...options.sync,
      });
      const sync = syncService && {
        service: syncService,
        endpoint: new SyncEndpoint(syncService, { accessSweepMs: options.sync?.accessSweepMs }),
      };
      if (sync !== undefined)
        metrics.follow({
          syncConnections: () => sync.endpoint.connectionCount,
          historyEntries: () => sync.service.entries.latest - sync.service.history.floor,
          latestServerVersion: () => sync.service.entries.latest,
        });
      await triggers.start();
      const listening = await listen(
        app.fetch,
        options.port ?? 8080,
        options.host ?? "127.0.0.1",
        sync?.endpoint.handleUpgrade,
      );
      return new AtollServer(listening.url, config, data, logs, auth, {
        listening,
        log,
        functions,
        storage,
        ownsStorage: shared === undefined,
        node,
        sync,
        triggers,
      });
    } catch (error) {
      await triggers?.close();
      functions?.close();
      if (shared === undefined) await storage.close();
      throw error;
    }
  }

  /**
   * Drains, then closes: new HTTP requests get 503 and readiness fails, sync connections are
   * told to reconnect elsewhere, and the HTTP requests under way are given until `timeoutMs`
   * to be answered before everything closes.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.parts.node.startDraining();
    this.parts.sync?.endpoint.drain();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.parts.node.idle(), deadline]);
    clearTimeout(timer);
    await this.close();
  }

  /** Closes everything; a second call (after `drain`, say) waits for the first. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    this.parts.sync?.endpoint.close();
    await this.parts.sync?.service.close();
    await this.parts.listening.close();
    await this.parts.triggers.close();
    await this.parts.log.flush();
    this.parts.functions.close();
    this.data.close();
    if (this.parts.ownsStorage) await this.parts.storage.close();
  }
}

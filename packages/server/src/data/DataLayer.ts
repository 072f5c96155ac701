/**
 * The data layer: MongoDB-style data services over the storage engine. `system()` bypasses
 * rules and schema (server bookkeeping, `run_as_system` functions); `forUser()` enforces the
 * collection's rules (or the data source's default rule when it has none) and schema.json.
 * A service name that is not one of the app's data sources is `ServiceNotFound`. Databases
 * named `__atoll*` are never reachable through `forUser()`. User-context queries are held to
 * the allow-list and bounds of clientQueryPolicy.ts and queryLimits.ts, their pipelines
 * evaluated in the worker pool of EvaluationPool.ts.
 */
import { AppError } from "@atoll/protocol";
import type { RequestContext, UserContext } from "../callerContext.js";
import type { AppConfig, DataSourceConfig } from "../config/types.js";
import { ruleContextFor, type CallFunction } from "../rules/RuleContext.js";
import { RulesPolicy } from "../rules/RulesPolicy.js";
import { isInternalDatabase } from "../storage/SqliteStorage.js";
import type { StorageEngine } from "../storage/StorageEngine.js";
import { OPEN_ACCESS } from "./AccessPolicy.js";
import { EvaluationPool } from "./EvaluationPool.js";
import { queryLimits, type QueryLimits } from "./queryLimits.js";
import { StorageCollection, type CollectionGovernance } from "./StorageCollection.js";
import type { Collection, DataService, Database } from "./types.js";

export interface ForUserOptions {
  readonly request?: RequestContext;
  readonly callFunction?: CallFunction;
  /** The data source's service name (default: the app's first data source). */
  readonly service?: string;
}

export interface DataLayerOptions {
  /** Bounds on user-context queries (queryLimits.ts defaults otherwise). */
  readonly queryLimits?: Partial<QueryLimits>;
}

export class DataLayer {
  readonly queryLimits: QueryLimits;
  readonly #evaluation: { readonly limits: QueryLimits; readonly pool: EvaluationPool };

  constructor(
    readonly storage: StorageEngine,
    readonly config: AppConfig,
    options: DataLayerOptions = {},
  ) {
    this.queryLimits = queryLimits(options.queryLimits);
    this.#evaluation = { limits: this.queryLimits, pool: new EvaluationPool(this.queryLimits) };
  }

  /** Stops the evaluation workers; the storage engine is its owner's to close. */
  close(): void {
    this.#evaluation.pool.close();
  }

  /** Full access, no rules, no schema validation. */
  system(service?: string): DataService {
    if (service !== undefined) this.#dataSource(service);
    return this.#service(() => ({ policy: OPEN_ACCESS, systemContext: true }));
  }

  /** Access as `user`, under the collection's rules and schema. */
  forUser(user: UserContext, options: ForUserOptions = {}): DataService {
    const source =
      options.service === undefined ? this.#defaultDataSource() : this.#dataSource(options.service);
    const ctx = ruleContextFor(this.config, user, options);
    return this.#service((db, coll): CollectionGovernance => {
      const namespace = `${db}.${coll}`;
      const collection = source?.collections.get(namespace);
      const ruleSet = isInternalDatabase(db)
        ? undefined
        : (collection?.rules ?? source?.defaultRule);
      return {
        policy: new RulesPolicy(ruleSet, ctx, namespace),
        schema: collection?.schema,
        systemContext: false,
        evaluation: this.#evaluation,
      };
    });
  }

  #service(govern: (db: string, coll: string) => CollectionGovernance): DataService {
    const storage = this.storage;
    return {
      db(name: string): Database {
        checkName(name, "database");
        return {
          collection(coll: string): Collection {
            checkName(coll, "collection");
            return new StorageCollection(storage, name, coll, govern(name, coll));
          },
        };
      },
    };
  }

  #dataSource(service: string): DataSourceConfig {
    const source = this.config.dataSources.get(service);
    if (source === undefined)
      throw new AppError("ServiceNotFound", `service not found: '${service}'`);
    return source;
  }

  #defaultDataSource(): DataSourceConfig | undefined {
    return this.config.dataSources.values().next().value;
  }
}

function checkName(name: unknown, what: string): void {
  if (typeof name !== "string" || name === "" || name.includes("\0")) {
    throw new AppError("InvalidParameter", `a ${what} name must be a non-empty string`);
  }
  if (what === "database" && /[/\\. "$]/.test(name)) {
    throw new AppError("InvalidParameter", `invalid database name '${name}'`);
  }
}

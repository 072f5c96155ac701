/**
 * Atlas Functions on Atoll: runs an app's function sources in a sandbox (isolated-vm, one
 * isolate leased per call, a fresh context per invocation, no host objects inside) with the
 * App Services `context`, honouring `private`, `can_evaluate`, `run_as_system`,
 * `run_as_user_id` and `run_as_user_id_script_source`.
 *
 * Identity: a function runs as its caller, under the caller's rules, unless it is a system
 * function, runs as a fixed user, or is called from system context (internal calls with
 * `asSystem`, and everything a system function calls through `context.functions.execute`,
 * which runs in the caller's context). `context.user` is always the caller, except for
 * `run_as_user_id`, where it is that user.
 *
 * Errors are `AppError`s: FunctionNotFound, FunctionExecutionError (the thrown message),
 * ExecutionTimeLimitExceeded, FunctionSyntaxError; their `details.logs` hold the console
 * lines printed before the failure.
 */
import { AppError } from "@atoll/protocol";
import { SYSTEM_USER, type RequestContext, type UserContext } from "../callerContext.js";
import type { AppConfig, FunctionDefinition } from "../config/types.js";
import type { DataService } from "../data/types.js";
import { runCallTree } from "./callTree.js";
import type { CallTree, CallTreeLimits } from "./callTree.js";
import { canEvaluate } from "./canEvaluate.js";
import { decodeWrapped, encodeCanonical } from "./ejsonCodec.js";
import { endpointOutcome } from "./endpointCall.js";
import type { EndpointOutcome, EndpointRequest } from "./endpointCall.js";
import { functionLogEntry } from "./functionLog.js";
import type { FunctionLogEntry } from "./functionLog.js";
import { functionHttpRequest } from "./functionHttp.js";
import type { FunctionHttpOptions } from "./functionHttp.js";
import { ModuleResolver } from "./moduleResolver.js";
import { resolveIdentity } from "./resolveIdentity.js";
import { runFrame } from "./runFrame.js";
import { checkSources } from "./sandbox/checkSources.js";
import { IsolatePool } from "./sandbox/IsolatePool.js";
import { appInit, initText } from "./sandboxInit.js";
import type { CallIdentity } from "./sandboxInit.js";

/** The part of the data layer functions use (`DataLayer` implements it). */
export interface FunctionDataAccess {
  system(service?: string): DataService;
  forUser(
    user: UserContext,
    options?: {
      request?: RequestContext;
      callFunction?: (name: string, args: unknown[]) => Promise<unknown>;
      service?: string;
    },
  ): DataService;
}

export interface FunctionServiceOptions {
  readonly config: AppConfig;
  readonly data: FunctionDataAccess;
  /** Wall time one call (with everything it calls) may take; Atlas allows 300000 ms. */
  readonly timeoutMs: number;
  /** Heap limit of each isolate (default 128 MB). */
  readonly memoryLimitMb?: number;
  /** Receives one entry per `execute` call (client calls are logged by the HTTP layer). */
  readonly log?: (entry: FunctionLogEntry) => void;
  /** Finds the user a `run_as_user_id` function runs as. */
  readonly lookupUser?: (id: string) => Promise<UserContext | undefined>;
  /** Isolates existing at once, i.e. calls running at once (default 8); more calls wait. */
  readonly maxIsolates?: number;
  /** How deep `context.functions.execute` may nest (default 32). */
  readonly maxCallDepth?: number;
  /** Largest return value in characters of canonical EJSON (default 16 MiB). */
  readonly maxResultChars?: number;
  /** The hosts `context.http` may reach and its bounds; absent: `context.http` is off. */
  readonly http?: FunctionHttpOptions;
}

export class FunctionService {
  private readonly config: AppConfig;
  private readonly pool: IsolatePool;
  private readonly limits: CallTreeLimits;
  private readonly maxCallDepth: number;
  private readonly app: Record<string, unknown>;
  /** Sources that do not compile (or export no function) fail the same way every time. */
  private readonly brokenSources = new Map<string, AppError>();
  private readonly modules: ModuleResolver;

  constructor(private readonly options: FunctionServiceOptions) {
    this.config = options.config;
    this.modules = new ModuleResolver(options.config.dir);
    const memoryLimitMb = options.memoryLimitMb ?? 128;
    this.pool = new IsolatePool({
      memoryLimitMb,
      maxIsolates: options.maxIsolates ?? 8,
      maxIdle: 4,
    });
    void this.pool.warmUp();
    this.limits = { timeoutMs: options.timeoutMs, memoryLimitMb, fenceMs: 1000 };
    this.maxCallDepth = options.maxCallDepth ?? 32;
    this.app = appInit(options.config, { resultChars: options.maxResultChars ?? 16 * 1024 * 1024 });
  }

  /** `functions/call` from a client: private functions do not exist, `can_evaluate` must pass. */
  async callFromClient(
    name: string,
    args: unknown[],
    user: UserContext,
    request: RequestContext,
  ): Promise<{ result: unknown; logs: string[] }> {
    const definition = this.config.functions.get(name);
    if (definition === undefined || definition.private) throw functionNotFound(name);
    const { value, logs } = await this.callTopLevel(definition, args, user, request, false, true);
    return { result: value, logs };
  }

  /** Internal calls (auth, confirmation, reset, user creation, `%function`): private functions too. */
  async execute(
    name: string,
    args: unknown[],
    user: UserContext,
    options: { asSystem?: boolean; request?: RequestContext } = {},
  ): Promise<unknown> {
    const definition = this.config.functions.get(name);
    if (definition === undefined) throw functionNotFound(name);
    return this.logged(name, user, () =>
      this.callTopLevel(definition, args, user, options.request, options.asSystem === true, false),
    );
  }

  /**
   * An HTTPS endpoint's call: private functions too, `can_evaluate` must pass, and the function
   * runs as `(request, response)`; resolves to its return value and the response it built.
   */
  async callFromEndpoint(
    name: string,
    request: EndpointRequest,
    user: UserContext,
    httpRequest: RequestContext,
  ): Promise<EndpointOutcome> {
    const definition = this.config.functions.get(name);
    if (definition === undefined) throw functionNotFound(name);
    const outcome = await this.logged(name, user, () =>
      this.callTopLevel(definition, [request], user, httpRequest, false, true, true),
    );
    return endpointOutcome(outcome);
  }

  private async logged(
    name: string,
    user: UserContext,
    call: () => Promise<{ value: unknown; logs: string[] }>,
  ): Promise<unknown> {
    const started = Date.now();
    try {
      const { value, logs } = await call();
      this.logCall(name, user, started, undefined, logs);
      return value;
    } catch (error) {
      const logs =
        error instanceof AppError && Array.isArray(error.details?.logs)
          ? (error.details.logs as string[])
          : [];
      this.logCall(name, user, started, error, logs);
      throw error;
    }
  }

  /**
   * A trigger's call: private functions too, from system context, with no log entry of its
   * own (the trigger logs its run with the console output returned here, or with the error's
   * `details.logs`).
   */
  runForTrigger(name: string, args: unknown[]): Promise<{ value: unknown; logs: string[] }> {
    const definition = this.config.functions.get(name);
    if (definition === undefined) return Promise.reject(functionNotFound(name));
    return this.callTopLevel(definition, args, SYSTEM_USER, undefined, true, false);
  }

  /** The FunctionSyntaxError of every function source that does not compile (none run). */
  checkSources(): Promise<AppError[]> {
    return checkSources(this.config.functions.values());
  }

  close(): void {
    this.pool.close();
  }

  private callTopLevel(
    definition: FunctionDefinition,
    args: unknown[],
    caller: UserContext,
    request: RequestContext | undefined,
    asSystem: boolean,
    checkCanEvaluate: boolean,
    endpoint = false,
  ): Promise<{ value: unknown; logs: string[] }> {
    const callerIdentity: CallIdentity = {
      user: caller,
      system: asSystem || caller.type === "system",
    };
    return runCallTree(this.pool, this.limits, definition.name, async (tree) => {
      if (checkCanEvaluate) {
        const allowed = await canEvaluate(definition.name, definition.can_evaluate, {
          config: this.config,
          user: caller,
          request,
          args,
          callFunction: this.callFunctionIn(tree, callerIdentity, request, 1),
        });
        if (!allowed)
          throw new AppError(
            "FunctionExecutionError",
            `rule not matched for function "${definition.name}"`,
          );
      }
      const text = await this.runDefinition(
        tree,
        definition,
        encodeCanonical(args),
        callerIdentity,
        request,
        0,
        endpoint,
      );
      return decodeWrapped(text, `the result of function '${definition.name}'`);
    });
  }

  /** Resolves the definition's identity from its caller's, then runs it in the tree. */
  private async runDefinition(
    tree: CallTree,
    definition: FunctionDefinition,
    argsText: string,
    caller: CallIdentity,
    request: RequestContext | undefined,
    depth: number,
    endpoint = false,
  ): Promise<string> {
    if (depth > this.maxCallDepth) {
      throw new AppError(
        "FunctionExecutionError",
        `function calls nest deeper than ${this.maxCallDepth} levels (at '${definition.name}')`,
      );
    }
    const identity = await resolveIdentity(definition, caller, {
      lookupUser: this.options.lookupUser,
      runScript: (script) => this.runSource(tree, script, "[]", caller, request, depth + 1),
    });
    return await this.runSource(tree, definition, argsText, identity, request, depth, endpoint);
  }

  private async runSource(
    tree: CallTree,
    definition: Pick<FunctionDefinition, "name" | "source" | "file">,
    argsText: string,
    identity: CallIdentity,
    request: RequestContext | undefined,
    depth: number,
    endpoint = false,
  ): Promise<string> {
    const broken = this.brokenSources.get(definition.name);
    if (broken !== undefined) throw broken;
    try {
      return await runFrame(
        tree,
        {
          name: definition.name,
          module: { key: definition.name, source: definition.source, file: definition.file },
          argsText,
          initText: initText(this.app, identity, request, endpoint),
          identity,
          request,
        },
        {
          dataFor: (service, who, at) => this.dataFor(tree, service, who, at, depth),
          execute: (name, args) =>
            this.executeNested(tree, name, args, identity, request, depth + 1),
          requireModule: (from, request) => this.modules.resolve(from, request),
          http: (payload) => functionHttpRequest(payload, this.options.http, tree.deadline),
        },
      );
    } catch (error) {
      if (error instanceof AppError && error.code === "FunctionSyntaxError")
        this.brokenSources.set(definition.name, error);
      throw error;
    }
  }

  private executeNested(
    tree: CallTree,
    name: string,
    args: unknown[],
    caller: CallIdentity,
    request: RequestContext | undefined,
    depth: number,
  ): Promise<string> {
    const definition = this.config.functions.get(name);
    if (definition === undefined) return Promise.reject(functionNotFound(name));
    return this.runDefinition(tree, definition, encodeCanonical(args), caller, request, depth);
  }

  private callFunctionIn(
    tree: CallTree,
    caller: CallIdentity,
    request: RequestContext | undefined,
    depth: number,
  ) {
    return async (name: string, args: unknown[]): Promise<unknown> =>
      decodeWrapped(
        await this.executeNested(tree, name, args, caller, request, depth),
        `the result of function '${name}'`,
      );
  }

  private dataFor(
    tree: CallTree,
    service: string,
    identity: CallIdentity,
    request: RequestContext | undefined,
    depth: number,
  ): DataService {
    if (!this.config.dataSources.has(service))
      throw new AppError("ServiceNotFound", `service not found: '${service}'`);
    if (identity.system) return this.options.data.system(service);
    return this.options.data.forUser(identity.user, {
      service,
      ...(request === undefined ? {} : { request }),
      callFunction: this.callFunctionIn(tree, identity, request, depth + 1),
    });
  }

  private logCall(
    name: string,
    user: UserContext,
    started: number,
    error: unknown,
    logs: string[],
  ): void {
    this.options.log?.(functionLogEntry(name, user, started, error, logs));
  }
}

function functionNotFound(name: string): AppError {
  return new AppError("FunctionNotFound", `function not found: '${name}'`);
}

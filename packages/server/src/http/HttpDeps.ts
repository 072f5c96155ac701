import type { UserContext, RequestContext } from "../callerContext.js";
import type { AuthService, Caller } from "../auth/AuthService.js";
import type { FunctionRunner } from "../auth/FunctionRunner.js";
import type { AppConfig } from "../config/types.js";
import type { DataService } from "../data/types.js";
import type { EndpointOutcome, EndpointRequest } from "../functions/endpointCall.js";
import type { OperationsDeps } from "./operationsRoutes.js";
import type { ServerLog } from "./ServerLog.js";

/** The part of the data layer the HTTP API uses (DataLayer implements it). */
export interface UserDataAccess {
  forUser(
    user: UserContext,
    options?: {
      request?: RequestContext;
      callFunction?: (name: string, args: unknown[]) => Promise<unknown>;
      service?: string;
    },
  ): DataService;
}

/** The function service's side of an HTTPS endpoint call (`FunctionService` implements it). */
export interface EndpointFunctionRunner {
  callFromEndpoint(
    name: string,
    request: EndpointRequest,
    user: UserContext,
    httpRequest: RequestContext,
  ): Promise<EndpointOutcome>;
}

/** Everything the HTTP API is built from; the server's composition root provides it. */
export interface HttpDeps {
  readonly config: AppConfig;
  readonly auth: AuthService;
  readonly data: UserDataAccess;
  readonly functions: FunctionRunner;
  /** Runs HTTPS endpoints' functions; without it the app's endpoints are not served. */
  readonly endpoints?: EndpointFunctionRunner;
  readonly log: ServerLog;
  /** Largest accepted request body in bytes (default `DEFAULT_BODY_LIMIT_BYTES`, 18 MiB). */
  readonly bodyLimitBytes?: number;
  /** Deepest accepted nesting of arrays and objects in a request body (default 128). */
  readonly bodyDepthLimit?: number;
  /**
   * A reverse proxy stands in front and sets `X-Forwarded-Host`, `-Proto` and `-For`: only
   * then are those headers believed (default false).
   */
  readonly trustProxy?: boolean;
  /** Health, readiness, metrics and draining (see `operationsRoutes`); none when absent. */
  readonly operations?: OperationsDeps;
}

/** Per-request values the routes share with the request logger. */
export interface HttpEnv {
  Variables: {
    caller: Caller | undefined;
    /**
     * The client's IP address, honouring `trustProxy` (see `clientAddressOf`); empty when
     * unknown. What per-address limits and logs should key on.
     */
    clientAddress: string;
  };
}

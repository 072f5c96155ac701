/**
 * HTTP to the App Services client API over an injected `fetch`: finds the app's servers
 * through the location endpoint (once, cached; retried after a failure), sends canonical
 * EJSON, decodes EJSON answers and turns every failure into an `AppError`.
 */
import { AppError } from "./AppError.js";
import { decodeEjson, encodeEjson } from "./ejson.js";

export const API_PATH = "/api/client/v2.0";

export interface Location {
  readonly hostname: string;
  readonly wsHostname: string;
  readonly syncRoute: string;
}

export interface ApiRequest {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** Below `/api/client/v2.0`, e.g. `/auth/profile`. */
  readonly path: string;
  /** Put `/app/<appId>` before the path. */
  readonly appScoped?: boolean;
  readonly body?: unknown;
  readonly bearer?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The chunks of a response body; stopping the iteration cancels the body (and the request). */
async function* bytesOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

export class Transport {
  private location: Promise<Location> | undefined;

  constructor(
    private readonly appId: string,
    private readonly baseUrl: string,
    private readonly fetchFn: typeof fetch,
  ) {}

  /** The app's servers; the answer is cached, a failure is not. */
  locate(): Promise<Location> {
    this.location ??= this.fetchLocation().catch((error: unknown) => {
      this.location = undefined;
      throw error;
    });
    return this.location;
  }

  async request(request: ApiRequest): Promise<unknown> {
    const { hostname } = await this.locate();
    return this.send(hostname, request);
  }

  /**
   * A request whose successful answer is a stream (server-sent events): resolves once the
   * server has answered, with the body's bytes as they come; a refusal is an `AppError` as for
   * `request`. Leaving the iteration early cancels the request.
   */
  async stream(request: ApiRequest): Promise<AsyncIterable<Uint8Array>> {
    const { hostname } = await this.locate();
    return (await this.send(hostname, request, true)) as AsyncIterable<Uint8Array>;
  }

  private async fetchLocation(): Promise<Location> {
    const answer = await this.send(this.baseUrl, {
      method: "GET",
      path: "/location",
      appScoped: true,
    });
    const hostname = isRecord(answer) ? answer.hostname : undefined;
    const wsHostname = isRecord(answer) ? answer.ws_hostname : undefined;
    if (typeof hostname !== "string" || typeof wsHostname !== "string") {
      throw new AppError({
        method: "GET",
        url: `${this.baseUrl}${API_PATH}/app/${this.appId}/location`,
        statusCode: 200,
        errorCode: "MissingJsonKey",
        error: "the location answer lacks 'hostname' or 'ws_hostname'",
      });
    }
    const syncRoute =
      isRecord(answer) && typeof answer.sync_route === "string"
        ? answer.sync_route
        : `${wsHostname}${API_PATH}/app/${this.appId}/realm-sync`;
    return { hostname, wsHostname, syncRoute };
  }

  private async send(host: string, request: ApiRequest, streamed = false): Promise<unknown> {
    const prefix = request.appScoped === true ? `/app/${encodeURIComponent(this.appId)}` : "";
    const url = `${host.replace(/\/+$/, "")}${API_PATH}${prefix}${request.path}`;
    const headers: Record<string, string> = {
      Accept: streamed ? "text/event-stream" : "application/json",
    };
    if (request.body !== undefined) headers["Content-Type"] = "application/json";
    if (request.bearer !== undefined) headers.Authorization = `Bearer ${request.bearer}`;
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: encodeEjson(request.body) }),
      });
    } catch (cause) {
      throw new AppError({
        method: request.method,
        url,
        statusCode: 0,
        errorCode: "NetworkError",
        error: `request to ${url} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
      });
    }
    if (streamed && response.ok && response.body) return bytesOf(response.body);
    const text = await response.text();
    const failed = (errorCode: string, error: string, cause?: unknown): AppError =>
      new AppError({
        method: request.method,
        url,
        statusCode: response.status,
        statusText: response.statusText,
        errorCode,
        error,
        cause,
      });
    let body: unknown;
    if (text.trim() !== "") {
      try {
        body = decodeEjson(text);
      } catch (cause) {
        throw response.ok
          ? failed("MalformedJson", `the answer from ${url} is not Extended JSON`, cause)
          : failed("HttpError", `${response.status} ${response.statusText}`.trim(), cause);
      }
    }
    if (response.ok) return body;
    if (isRecord(body) && typeof body.error_code === "string") {
      throw new AppError({
        method: request.method,
        url,
        statusCode: response.status,
        statusText: response.statusText,
        errorCode: body.error_code,
        error: typeof body.error === "string" ? body.error : body.error_code,
        ...(typeof body.link === "string" ? { link: body.link } : {}),
      });
    }
    throw failed("HttpError", `${response.status} ${response.statusText}`.trim());
  }
}

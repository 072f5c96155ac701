/**
 * `context.http` on the host: the one way function code reaches the network, and only the
 * hosts the operator allowed (`atoll serve --functions-http-allow`); with none allowed it is
 * off. Each request (and each redirect it follows) must name an allowed host, speaks http or
 * https, ends by the call's deadline or its own timeout, whichever is first, and may not
 * bring back more than `maxResponseBytes`. Hosts are matched by name as written in the URL
 * (`host` or `host:port`); the operator allows names, not addresses.
 */
import { AppError } from "@atoll/protocol";
import { canonicalHeaderName } from "../callerContext.js";

export interface FunctionHttpOptions {
  /** Host names (or `host:port`) functions may call; empty: `context.http` is off. */
  readonly allowedHosts: readonly string[];
  /** Largest response body, in bytes (default 16 MiB). */
  readonly maxResponseBytes?: number;
  /** Longest one request may take, in ms (default 30 s, never past the call's deadline). */
  readonly timeoutMs?: number;
}

export const DEFAULT_HTTP_RESPONSE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]);

interface SandboxRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string[]>;
  readonly body?: { text?: string; base64?: string };
  readonly followRedirects: boolean;
}

/** `--functions-http-allow a.example.com,b.example.com:8443` */
export function parseHttpAllow(text: string, previous: readonly string[] = []): string[] {
  const hosts = text
    .split(",")
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host !== "");
  for (const host of hosts) {
    if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(host))
      throw new Error(`"${host}" is not a host name (or host:port)`);
  }
  return [...previous, ...hosts];
}

export async function functionHttpRequest(
  payload: string,
  options: FunctionHttpOptions | undefined,
  deadline: number,
): Promise<string> {
  const allowed = new Set(options?.allowedHosts ?? []);
  if (allowed.size === 0) {
    throw new AppError(
      "FunctionExecutionError",
      "context.http is off: the operator allows hosts with atoll serve --functions-http-allow",
    );
  }
  const request = parseRequest(payload);
  const signal = AbortSignal.timeout(
    Math.max(1, Math.min(options?.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS, deadline - Date.now())),
  );
  let url = checkedUrl(request.url, allowed);
  let method = request.method;
  let body: string | Uint8Array | undefined = requestBody(request);
  for (let redirects = 0; ; redirects++) {
    const headers = new Headers();
    for (const [name, values] of Object.entries(request.headers))
      for (const value of values) headers.append(name, value);
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, redirect: "manual", signal });
    } catch (error) {
      throw new AppError(
        "FunctionExecutionError",
        `context.http ${method} ${url.href} failed: ${reason(error)}`,
      );
    }
    const location = response.headers.get("location");
    if (
      request.followRedirects &&
      location !== null &&
      response.status >= 300 &&
      response.status < 400
    ) {
      if (redirects >= MAX_REDIRECTS)
        throw new AppError(
          "FunctionExecutionError",
          `context.http: more than ${MAX_REDIRECTS} redirects`,
        );
      await response.body?.cancel();
      url = checkedUrl(new URL(location, url).href, allowed);
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === "POST")
      ) {
        method = "GET";
        body = undefined;
      }
      continue;
    }
    const bytes = await boundedBody(
      response,
      options?.maxResponseBytes ?? DEFAULT_HTTP_RESPONSE_BYTES,
    );
    const responseHeaders: Record<string, string[]> = {};
    response.headers.forEach((value, name) => {
      Object.defineProperty(responseHeaders, canonicalHeaderName(name), {
        value: value.split(/,\s*/),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    });
    return JSON.stringify({
      status: `${response.status} ${response.statusText}`.trim(),
      statusCode: response.status,
      contentLength: bytes.length,
      headers: responseHeaders,
      bodyBase64: Buffer.from(bytes).toString("base64"),
    });
  }
}

function parseRequest(payload: string): SandboxRequest {
  const value = JSON.parse(payload) as Partial<SandboxRequest>;
  if (typeof value.method !== "string" || !METHODS.has(value.method))
    throw new AppError("InvalidParameter", "context.http: unknown method");
  if (typeof value.url !== "string" || value.url === "")
    throw new AppError("InvalidParameter", "context.http needs a url (or scheme, host and path)");
  const headers: Record<string, string[]> = {};
  if (value.headers !== null && typeof value.headers === "object") {
    for (const [name, values] of Object.entries(value.headers))
      if (Array.isArray(values)) headers[name] = values.map(String);
  }
  return {
    method: value.method,
    url: value.url,
    headers,
    ...(value.body === undefined ? {} : { body: value.body }),
    followRedirects: value.followRedirects === true,
  };
}

function checkedUrl(text: string, allowed: ReadonlySet<string>): URL {
  if (!URL.canParse(text))
    throw new AppError("InvalidParameter", `context.http: invalid url '${text}'`);
  const url = new URL(text);
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new AppError(
      "InvalidParameter",
      `context.http speaks http and https, not ${url.protocol}`,
    );
  if (url.username !== "" || url.password !== "")
    throw new AppError(
      "InvalidParameter",
      "context.http: put credentials in headers, not in the url",
    );
  const host = url.host.toLowerCase();
  if (!allowed.has(host) && !allowed.has(url.hostname.toLowerCase())) {
    throw new AppError(
      "FunctionExecutionError",
      `context.http: host '${host}' is not allowed (atoll serve --functions-http-allow)`,
    );
  }
  return url;
}

function requestBody(request: SandboxRequest): string | Uint8Array | undefined {
  if (request.body === undefined || request.method === "GET" || request.method === "HEAD")
    return undefined;
  if (typeof request.body.base64 === "string") return Buffer.from(request.body.base64, "base64");
  return typeof request.body.text === "string" ? request.body.text : undefined;
}

async function boundedBody(response: Response, maxBytes: number): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.length;
    if (total > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new AppError(
        "FunctionExecutionError",
        `context.http: the response is larger than ${maxBytes} bytes`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function reason(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "timed out";
  return error instanceof Error ? error.message : String(error);
}

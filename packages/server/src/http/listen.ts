/**
 * Serving a fetch-style handler over node's HTTP. Port 0 picks a free port; the returned URL
 * is the one clients use (a wildcard host is reported as localhost).
 */
import { serve } from "@hono/node-server";
import { ServerResponse } from "node:http";
import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";

export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

type FetchHandler = (request: Request, env: unknown) => Response | Promise<Response>;

/** Takes over an HTTP upgrade request (the sync WebSocket endpoint). */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** The type the node adapter puts on every response that has none, empty ones included. */
const ADAPTER_DEFAULT_TYPE = "text/plain; charset=UTF-8";

/**
 * realm-web reads a response without `Content-Type` as "no content" but rejects any
 * non-JSON type, so empty successes (204s, registration's 201) must go out with no type at
 * all. The node adapter adds a text/plain default to every response; Atoll never sends
 * text/plain itself, so that default is dropped here.
 */
class UntypedEmptyResponse<
  Request extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Request> {
  override writeHead(statusCode: number, ...rest: unknown[]): this {
    const headers = rest.find(
      (arg): arg is OutgoingHttpHeaders =>
        typeof arg === "object" && arg !== null && !Array.isArray(arg),
    );
    if (headers !== undefined) {
      for (const name of Object.keys(headers)) {
        const value: OutgoingHttpHeader | undefined = headers[name];
        if (name.toLowerCase() === "content-type" && value === ADAPTER_DEFAULT_TYPE)
          delete headers[name];
      }
    }
    return super.writeHead(statusCode, ...(rest as [OutgoingHttpHeaders]));
  }
}

export function listen(
  fetch: FetchHandler,
  port: number,
  host: string,
  upgrade?: UpgradeHandler,
): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch, port, hostname: host, serverOptions: { ServerResponse: UntypedEmptyResponse } },
      (info: AddressInfo) => {
        const shownHost =
          host === "0.0.0.0" || host === "::"
            ? "localhost"
            : host.includes(":")
              ? `[${host}]`
              : host;
        resolve({
          url: `http://${shownHost}:${info.port}`,
          close: () =>
            new Promise<void>((done, fail) => {
              server.close((error) => (error === undefined ? done() : fail(error)));
              // Long-lived watch streams would otherwise hold the close open.
              if ("closeAllConnections" in server) server.closeAllConnections();
            }),
        });
      },
    );
    server.once("error", reject);
    if (upgrade) server.on("upgrade", upgrade);
  });
}

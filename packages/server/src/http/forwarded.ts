/**
 * Where a request came from and which address the client used to reach the server. The
 * `X-Forwarded-*` headers count only when the operator says a reverse proxy stands in front
 * (`trustProxy`); otherwise any client could write them. A forwarded value that is not a
 * plain `host[:port]`, `http`/`https` or IP address is ignored, never echoed.
 */
import type { Context } from "hono";
import { isIP } from "node:net";
import { incomingOf } from "./incoming.js";

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const PORT = /^\d{1,5}$/;

/** `host`, `host:port`, `[v6]` or `[v6]:port`, with a port from 1 to 65535. */
function isHostAndPort(value: string): boolean {
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::([^:]*))?$/.exec(value);
  if (match === null) return false;
  const [, host = "", port] = match;
  const hostValid = host.startsWith("[") ? isIP(host.slice(1, -1)) === 6 : HOSTNAME.test(host);
  const portValid =
    port === undefined || (PORT.test(port) && Number(port) >= 1 && Number(port) <= 65_535);
  return hostValid && portValid;
}

/** The entries of a comma-separated header, trimmed; none when it is absent. */
function listHeader(c: Context, name: string): string[] {
  return (c.req.header(name) ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/** The host the client asked for: the proxy's `X-Forwarded-Host` when trusted, else `Host`, else the socket's own address. */
function publicHost(c: Context, trustProxy: boolean): string {
  const forwarded = trustProxy ? listHeader(c, "x-forwarded-host")[0] : undefined;
  if (forwarded !== undefined && isHostAndPort(forwarded)) return forwarded;
  const host = c.req.header("host");
  if (host !== undefined && isHostAndPort(host)) return host;
  const socket = incomingOf(c)?.socket;
  if (socket?.localAddress !== undefined && socket.localPort !== undefined) {
    const address =
      isIP(socket.localAddress) === 6 ? `[${socket.localAddress}]` : socket.localAddress;
    return `${address}:${socket.localPort}`;
  }
  return new URL(c.req.url).host;
}

function publicProtocol(c: Context, trustProxy: boolean): "http" | "https" {
  const forwarded = trustProxy ? listHeader(c, "x-forwarded-proto")[0]?.toLowerCase() : undefined;
  if (forwarded === "http" || forwarded === "https") return forwarded;
  return new URL(c.req.url).protocol === "https:" ? "https" : "http";
}

/** The server's public HTTP and WebSocket origins as this client reached them. */
export function publicOrigin(c: Context, trustProxy: boolean): { http: string; ws: string } {
  const host = publicHost(c, trustProxy);
  const protocol = publicProtocol(c, trustProxy);
  return { http: `${protocol}://${host}`, ws: `${protocol === "https" ? "wss" : "ws"}://${host}` };
}

/**
 * The client's IP address: the peer of the connection, or, behind a trusted proxy, the last
 * `X-Forwarded-For` entry — the one that proxy added; entries before it are what the client
 * claimed and could be anything. Empty when unknown (a request not served over a socket).
 */
export function clientAddressOf(c: Context, trustProxy: boolean): string {
  const peer = incomingOf(c)?.socket.remoteAddress ?? "";
  if (!trustProxy) return peer;
  const forwarded = listHeader(c, "x-forwarded-for").at(-1);
  return forwarded !== undefined && isIP(forwarded) !== 0 ? forwarded : peer;
}

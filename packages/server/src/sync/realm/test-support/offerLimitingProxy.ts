/**
 * A proxy in front of a server that makes a realm-core client look like an older SDK release:
 * it passes HTTP through unchanged (the location endpoint then names the proxy, since the
 * Host header is kept) and, in a WebSocket upgrade, keeps only the offered
 * `com.mongodb.realm-query-sync#N` up to `newest`. realm-core then speaks the version the
 * server picks from those.
 */
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { REALM_SUBPROTOCOL_PREFIX } from "../realmSubprotocol.js";

export interface OfferLimitingProxy {
  readonly url: string;
  close(): Promise<void>;
}

export async function startOfferLimitingProxy(
  target: string,
  newest: number,
): Promise<OfferLimitingProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = http.createServer((request, response) => {
    const forwarded = http.request(
      { hostname, port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on("error", () => response.destroy());
    request.pipe(forwarded);
  });
  server.on("upgrade", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    const lines = [`${request.method} ${request.url} HTTP/1.1`];
    for (let i = 0; i < request.rawHeaders.length; i += 2) {
      const name = request.rawHeaders[i]!;
      const value = request.rawHeaders[i + 1]!;
      lines.push(
        `${name}: ${name.toLowerCase() === "sec-websocket-protocol" ? limited(value, newest) : value}`,
      );
    }
    upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
    upstream.write(head);
    upstream.pipe(client).pipe(upstream);
    for (const socket of [client, upstream]) {
      socket.on("error", () => undefined);
      socket.on("close", () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function limited(offer: string, newest: number): string {
  return offer
    .split(",")
    .map((entry) => entry.trim())
    .filter(
      (entry) =>
        !entry.startsWith(REALM_SUBPROTOCOL_PREFIX) ||
        Number(entry.slice(REALM_SUBPROTOCOL_PREFIX.length)) <= newest,
    )
    .join(", ");
}

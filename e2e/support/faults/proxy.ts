/**
 * A TCP proxy in front of a server for fault injection: clients talk to the proxy's port and
 * the proxy forwards bytes both ways. A test can cut every WebSocket connection at once, cut
 * them after a number of bytes have come from the server (the middle of a bootstrap), or
 * refuse new connections for a while. Plain HTTP requests pass untouched, so a client can log
 * in and find its sync route through the proxy.
 */
import net from "node:net";

interface Link {
  readonly client: net.Socket;
  readonly server: net.Socket;
  webSocket: boolean;
}

export class FaultProxy {
  private readonly links = new Set<Link>();
  private refusing = false;
  private cutAfter: { remaining: number; done: () => void } | undefined;
  /** Bytes sent by the server to WebSocket clients since the proxy started. */
  serverBytes = 0;
  /** WebSocket connections opened through the proxy since it started. */
  webSocketsOpened = 0;

  private constructor(
    private readonly listener: net.Server,
    private target: { host: string; port: number },
  ) {
    listener.on("connection", (client) => this.accept(client));
  }

  /** A proxy on a free local port forwarding to `targetUrl` (http://host:port). */
  static async start(targetUrl: string): Promise<FaultProxy> {
    const url = new URL(targetUrl);
    const listener = net.createServer();
    await new Promise<void>((resolve, reject) => {
      listener.once("error", reject);
      listener.listen(0, "127.0.0.1", () => resolve());
    });
    return new FaultProxy(listener, { host: url.hostname, port: Number(url.port) });
  }

  /** The proxy's base URL, to give clients instead of the server's. */
  get url(): string {
    const address = this.listener.address() as net.AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** New connections go to `targetUrl` from now on (open ones stay where they are). */
  retarget(targetUrl: string): void {
    const url = new URL(targetUrl);
    this.target = { host: url.hostname, port: Number(url.port) };
  }

  /** Open WebSocket connections through the proxy. */
  get webSocketCount(): number {
    return [...this.links].filter((link) => link.webSocket).length;
  }

  /** Drops every WebSocket connection now (both ends see a reset). */
  cutWebSockets(): void {
    for (const link of this.links) if (link.webSocket) this.drop(link);
  }

  /**
   * Drops every WebSocket connection once `bytes` more bytes have come from the server; the
   * promise resolves when that happened.
   */
  cutAfterServerBytes(bytes: number): Promise<void> {
    return new Promise((resolve) => {
      this.cutAfter = { remaining: bytes, done: resolve };
    });
  }

  /** While refusing, new connections are closed at once (the server looks unreachable). */
  refuse(refusing: boolean): void {
    this.refusing = refusing;
  }

  async close(): Promise<void> {
    for (const link of this.links) this.drop(link);
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const server = net.connect(this.target.port, this.target.host);
    const link: Link = { client, server, webSocket: false };
    this.links.add(link);
    client.setNoDelay(true);
    server.setNoDelay(true);
    client.on("data", (chunk: Buffer) => {
      if (!link.webSocket && /^upgrade:\s*websocket/im.test(chunk.toString("latin1"))) {
        link.webSocket = true;
        this.webSocketsOpened++;
      }
      server.write(chunk);
    });
    server.on("data", (chunk: Buffer) => this.fromServer(link, chunk));
    const end = (): void => this.drop(link);
    client.on("close", end).on("error", end);
    server.on("close", end).on("error", end);
  }

  private fromServer(link: Link, chunk: Buffer): void {
    if (!link.webSocket) {
      link.client.write(chunk);
      return;
    }
    this.serverBytes += chunk.length;
    const cut = this.cutAfter;
    if (cut === undefined || chunk.length < cut.remaining) {
      if (cut) cut.remaining -= chunk.length;
      link.client.write(chunk);
      return;
    }
    // Forward only the bytes before the cut, then drop every WebSocket connection.
    link.client.write(chunk.subarray(0, cut.remaining));
    this.cutAfter = undefined;
    this.cutWebSockets();
    cut.done();
  }

  private drop(link: Link): void {
    if (!this.links.delete(link)) return;
    link.client.resetAndDestroy();
    link.server.resetAndDestroy();
  }
}

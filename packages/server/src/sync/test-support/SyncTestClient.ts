/**
 * A raw sync protocol client for tests, fault injection and benchmarks: it speaks the wire
 * protocol message by message (no local database, no merging), keeps every server message it
 * received in order, and lets a test wait for the next message of a kind. Helpers cover the
 * usual steps (log in, bind a new or known file, subscribe, upload, mark); anything else can
 * be sent as a message or as raw bytes.
 */
import {
  BatchState,
  decodeChangeset,
  decodeServerMessage,
  encodeChangeset,
  encodeMessage,
  offeredSubprotocols,
  type ClientMessage,
  type DownloadMessage,
  type Instruction,
  type ServerMessage,
} from "@atoll/protocol";
import WebSocket from "ws";

export interface FileIdentity {
  readonly ident: number;
  readonly salt: number;
}

export interface TestLogin {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly userId: string;
}

/** Logs in through the HTTP API (anonymous by default, or email/password registered on the fly). */
export async function logIn(
  baseUrl: string,
  appId: string,
  credentials: { email: string; password: string } | "anonymous" = "anonymous",
): Promise<TestLogin> {
  const api = `${baseUrl}/api/client/v2.0/app/${appId}`;
  const post = (path: string, body: unknown) =>
    fetch(`${api}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  if (credentials !== "anonymous")
    await post("/auth/providers/local-userpass/register", credentials);
  const response = await post(
    credentials === "anonymous"
      ? "/auth/providers/anon-user/login"
      : "/auth/providers/local-userpass/login",
    credentials === "anonymous" ? {} : { username: credentials.email, ...credentials },
  );
  if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as {
    access_token: string;
    refresh_token: string;
    user_id: string;
  };
  return { accessToken: body.access_token, refreshToken: body.refresh_token, userId: body.user_id };
}

export function syncUrl(baseUrl: string, appId: string): string {
  return `${baseUrl.replace(/^http/, "ws")}/api/client/v2.0/app/${appId}/realm-sync`;
}

/** The HTTP status of a refused upgrade, or 101 when the upgrade succeeded. */
export function upgradeStatus(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, offeredSubprotocols(), {
      headers: { Authorization: `Bearer ${token}` },
    });
    ws.on("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("open", () => {
      resolve(101);
      ws.close();
    });
    ws.on("error", (error) => reject(error));
  });
}

export class SyncTestClient {
  /** Every server message received, in order. */
  readonly received: ServerMessage[] = [];
  private unread: ServerMessage[] = [];
  private waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] =
    [];
  private closeWaiters: ((code: number) => void)[] = [];
  private closeCode: number | undefined;
  session = 1;
  file: FileIdentity | undefined;
  /** The download cursor, as a client would persist it. */
  cursor = { serverVersion: 0, lastIntegratedClientVersion: 0 };
  private nextClientVersion = 1;
  private nextRequestId = 1;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      const message = decodeServerMessage(new Uint8Array(data));
      this.received.push(message);
      if (message.type === "download") this.cursor = { ...message.download };
      const waiter = this.waiters.find((w) => w.match(message));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(message);
      } else this.unread.push(message);
    });
    ws.on("close", (code) => {
      this.closeCode = code;
      for (const waiter of this.closeWaiters) waiter(code);
    });
  }

  /** Opens a sync connection offering `subprotocols` (by default every version this build speaks). */
  static connect(
    url: string,
    token: string,
    subprotocols: string[] = offeredSubprotocols(),
  ): Promise<SyncTestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, subprotocols, {
        headers: { Authorization: `Bearer ${token}` },
      });
      ws.binaryType = "nodebuffer";
      const client = new SyncTestClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("error", reject);
    });
  }

  send(message: ClientMessage): void {
    this.ws.send(encodeMessage(message));
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  /** The next unread message matching `match` (waits for it). */
  next<T extends ServerMessage["type"]>(
    type: T,
    match: (message: Extract<ServerMessage, { type: T }>) => boolean = () => true,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const test = (m: ServerMessage): m is Extract<ServerMessage, { type: T }> =>
      m.type === type && match(m as Extract<ServerMessage, { type: T }>);
    const index = this.unread.findIndex(test);
    if (index >= 0) {
      const [found] = this.unread.splice(index, 1);
      return Promise.resolve(found as Extract<ServerMessage, { type: T }>);
    }
    return new Promise((resolve) =>
      this.waiters.push({
        match: test,
        resolve: (m) => resolve(m as Extract<ServerMessage, { type: T }>),
      }),
    );
  }

  /** Resolves with the close code once the server closed the connection. */
  closed(): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed();
  }

  /** Binds (a new file when `file` is absent), sends ident with the cursor and the active set. */
  async bind(
    options: {
      file?: FileIdentity;
      schema?: Record<string, unknown>[];
      queryVersion?: number;
      query?: Record<string, string>;
    } = {},
  ): Promise<FileIdentity> {
    this.send({
      type: "bind",
      session: this.session,
      clientFileIdent: options.file ?? null,
      schemaVersion: 0,
      schema: options.schema ?? [],
    });
    const file: FileIdentity =
      options.file ??
      (await this.next("ident").then((m) => ({ ident: m.clientFileIdent, salt: m.salt })));
    this.file = file;
    this.send({
      type: "ident",
      session: this.session,
      clientFileIdent: file.ident,
      salt: file.salt,
      download: this.cursor,
      latestServerVersion: { version: this.cursor.serverVersion, salt: 0 },
      queryVersion: options.queryVersion ?? 0,
      query: options.query ?? {},
    });
    return file;
  }

  /** Sends a subscription set; resolves with its bootstrap downloads (through batch state 1). */
  async subscribe(queryVersion: number, query: Record<string, string>): Promise<DownloadMessage[]> {
    this.send({ type: "query", session: this.session, queryVersion, query });
    const batches: DownloadMessage[] = [];
    for (;;) {
      const download = await this.next(
        "download",
        (d) => d.queryVersion === queryVersion && d.batchState !== BatchState.SteadyState,
      );
      batches.push(download);
      if (download.batchState === BatchState.LastInBatch) return batches;
    }
  }

  /** Uploads one changeset; returns its client version. */
  upload(
    instructions: Instruction[],
    options: { clientVersion?: number; timestamp?: number } = {},
  ): number {
    return this.uploadBytes(encodeChangeset(instructions), options);
  }

  /** Uploads one changeset as given bytes (possibly malformed); returns its client version. */
  uploadBytes(
    changeset: Uint8Array,
    options: { clientVersion?: number; timestamp?: number } = {},
  ): number {
    const clientVersion = options.clientVersion ?? this.nextClientVersion;
    this.nextClientVersion = Math.max(this.nextClientVersion, clientVersion + 1);
    this.send({
      type: "upload",
      session: this.session,
      progress: { clientVersion, lastIntegratedServerVersion: this.cursor.serverVersion },
      lockedServerVersion: this.cursor.serverVersion,
      changesets: [
        {
          clientVersion,
          lastIntegratedServerVersion: this.cursor.serverVersion,
          originTimestamp: options.timestamp ?? Date.now(),
          changeset,
        },
      ],
    });
    return clientVersion;
  }

  /** Waits for the download acknowledging `clientVersion`. */
  acknowledged(clientVersion: number): Promise<DownloadMessage> {
    return this.next("download", (d) => d.upload.clientVersion >= clientVersion);
  }

  /** Sends a mark and waits for its answer. */
  async mark(): Promise<void> {
    const requestId = this.nextRequestId++;
    this.send({ type: "mark", session: this.session, requestId });
    await this.next("mark", (m) => m.requestId === requestId);
  }

  /** The instructions of every changeset of the downloads received so far, in order. */
  downloadedInstructions(from = 0): Instruction[] {
    return this.received
      .slice(from)
      .flatMap((m) => (m.type === "download" ? m.changesets : []))
      .flatMap((c) => decodeChangeset(c.changeset));
  }
}

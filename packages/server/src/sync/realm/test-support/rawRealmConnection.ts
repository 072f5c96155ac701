/**
 * A raw WebSocket to the sync route speaking realm-core's protocol, for tests that send
 * frames realm-core would never send: `frame` resolves with each server frame in turn (the
 * socket's close ends them with `undefined`), `next` with it decoded.
 */
import {
  decodeServerMessage,
  encodeClientMessage,
  type RealmServerMessage,
} from "@atoll/realm-wire";
import WebSocket from "ws";

export const realmOffer = (versions: readonly number[]): string[] =>
  versions.map((version) => `com.mongodb.realm-query-sync#${version}`);

/** Opens a socket offering `protocols`: the negotiated one, or the HTTP status of a refusal. */
export function openSyncSocket(
  url: string,
  protocols: string[],
): Promise<{ socket?: WebSocket; protocol?: string; status?: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols);
    socket.on("open", () => resolve({ socket, protocol: socket.protocol }));
    socket.on("unexpected-response", (_request, response) => {
      resolve({ status: response.statusCode });
      response.resume();
    });
    socket.on("error", reject);
  });
}

export interface RawRealmConnection {
  readonly socket: WebSocket;
  readonly protocol: string;
  /** The next server frame, or undefined once the socket has closed. */
  readonly frame: () => Promise<Buffer | undefined>;
  readonly next: () => Promise<RealmServerMessage>;
  readonly closed: Promise<void>;
}

export async function rawRealmConnection(
  url: string,
  versions: readonly number[] = [14],
): Promise<RawRealmConnection> {
  const { socket, protocol } = await openSyncSocket(url, realmOffer(versions));
  if (socket === undefined || protocol === undefined) throw new Error("the upgrade was refused");
  const received: Buffer[] = [];
  let ended = false;
  let wake: () => void = () => undefined;
  socket.on("message", (data: Buffer) => {
    received.push(data);
    wake();
  });
  const closed = new Promise<void>((resolve) =>
    socket.on("close", () => {
      ended = true;
      wake();
      resolve();
    }),
  );
  const frame = async (): Promise<Buffer | undefined> => {
    while (received.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
    return received.shift();
  };
  const next = async (): Promise<RealmServerMessage> => {
    const data = await frame();
    if (data === undefined) throw new Error("the server closed the connection");
    return decodeServerMessage(new Uint8Array(data));
  };
  return { socket, protocol, frame, next, closed };
}

/** A BIND of `session`: asking for a new file identity, or announcing an IDENT. */
export function bindFrame(session: number, needClientFileIdent: boolean): Uint8Array {
  return encodeClientMessage({
    type: "bind",
    session,
    path: '{"schemaVersion":0,"sessionReason":0}',
    token: "",
    needClientFileIdent,
    isSubserver: false,
  });
}

/** The IDENT of a session with nothing synced yet: the file identity it was given, one query. */
export function identFrame(
  session: number,
  file: Pick<Extract<RealmServerMessage, { type: "ident" }>, "clientFileIdent" | "clientFileSalt">,
  query: { readonly version: number; readonly text: string },
): Uint8Array {
  return encodeClientMessage({
    type: "ident",
    session,
    clientFileIdent: file.clientFileIdent,
    clientFileSalt: file.clientFileSalt,
    scanServerVersion: 0,
    scanClientVersion: 0,
    latestServerVersion: 0,
    latestServerSalt: 0,
    queryVersion: query.version,
    query: query.text,
  });
}

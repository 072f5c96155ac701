/**
 * One example of every message, with every field set. Used by the protocol documentation
 * and by the wire tests, which pin their encodings to the protocol version.
 */
import { Long } from "bson";
import type { ClientMessage, ServerMessage } from "./codec.js";

const changeset = new Uint8Array([5, 0, 0, 0, 0]);

export const CLIENT_MESSAGE_EXAMPLES: Readonly<Record<string, ClientMessage>> = {
  bind: {
    type: "bind",
    session: 1,
    clientFileIdent: null,
    schemaVersion: 0,
    schema: [{ name: "Car", primaryKey: "_id", properties: { _id: "objectId", miles: "int?" } }],
  },
  ident: {
    type: "ident",
    session: 1,
    clientFileIdent: 2,
    salt: 123456789,
    download: { serverVersion: 0, lastIntegratedClientVersion: 0 },
    latestServerVersion: { version: 0, salt: 0 },
    queryVersion: 1,
    query: { Car: "(miles < 100) OR (miles == NULL)" },
  },
  query: { type: "query", session: 1, queryVersion: 2, query: { Car: 'ownerId == "abc"' } },
  upload: {
    type: "upload",
    session: 1,
    progress: { clientVersion: 7, lastIntegratedServerVersion: 12 },
    lockedServerVersion: 12,
    changesets: [
      {
        clientVersion: 7,
        lastIntegratedServerVersion: 12,
        originTimestamp: 1_700_000_000_000,
        changeset,
      },
    ],
  },
  mark: { type: "mark", session: 1, requestId: 3 },
  unbind: { type: "unbind", session: 1 },
  ping: { type: "ping", timestamp: 1_700_000_000_000, rtt: 4 },
  error: { type: "error", session: 1, code: 212, message: "could not integrate changeset" },
};

export const SERVER_MESSAGE_EXAMPLES: Readonly<Record<string, ServerMessage>> = {
  ident: { type: "ident", session: 1, clientFileIdent: 2, salt: 123456789 },
  download: {
    type: "download",
    session: 1,
    download: { serverVersion: 13, lastIntegratedClientVersion: 7 },
    upload: { clientVersion: 7, lastIntegratedServerVersion: 12 },
    latestServerVersion: { version: 13, salt: 99 },
    queryVersion: 1,
    batchState: 2,
    progressEstimate: 1,
    changesets: [
      {
        serverVersion: 13,
        lastIntegratedClientVersion: 7,
        originTimestamp: 1_700_000_000_001,
        originFileIdent: 3,
        changeset,
      },
    ],
  },
  mark: { type: "mark", session: 1, requestId: 3 },
  unbound: { type: "unbound", session: 1 },
  pong: { type: "pong", timestamp: 1_700_000_000_000 },
  error: {
    type: "error",
    session: 1,
    code: 231,
    message:
      "Client attempted a write that is outside of permissions or query filters; it has been reverted",
    tryAgain: true,
    action: "Warning",
    logURL: "",
    rejectedUpdates: [
      {
        table: "Car",
        pk: Long.fromNumber(1),
        reason:
          'write to "1" in table "Car" not allowed; object is outside of the current query view',
      },
    ],
    rejectedClientVersion: 21,
    compensatingWriteServerVersion: 2877,
  },
  queryError: {
    type: "queryError",
    session: 1,
    queryVersion: 2,
    code: 226,
    message: "Invalid query",
  },
  log: { type: "log", session: 1, level: "info", message: "bootstrap of query version 2 complete" },
};

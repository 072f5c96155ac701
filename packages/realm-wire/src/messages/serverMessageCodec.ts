/** The messages a server sends to a realm-core client, to and from bytes. */

import { encodeChangesetList, readChangesetList } from "./changesetList.js";
import { frame, openFrame, readTextBody, utf8Bytes, type DecodeLimits } from "./messageFrame.js";
import type { DownloadBatchState, DownloadChangeset, RealmServerMessage } from "./realmMessages.js";
import { decodeSharedMessage, encodeSharedMessage } from "./sharedMessages.js";

export function encodeServerMessage(message: RealmServerMessage): Uint8Array {
  switch (message.type) {
    case "ident":
      return frame(["ident", message.session, message.clientFileIdent, message.clientFileSalt]);
    case "download": {
      if (!(message.progressEstimate >= 0 && message.progressEstimate <= 1)) {
        throw new RangeError(`A progress estimate is from 0 to 1, not ${message.progressEstimate}`);
      }
      const body = encodeChangesetList(
        message.changesets.map((entry) => ({
          fields: [
            entry.serverVersion,
            entry.lastIntegratedClientVersion,
            entry.originTimestamp,
            entry.originFileIdent,
            entry.originalSize,
          ],
          changeset: entry.changeset,
        })),
      );
      return frame(
        [
          "download",
          message.session,
          message.downloadServerVersion,
          message.downloadClientVersion,
          message.latestServerVersion,
          message.latestServerSalt,
          message.uploadClientVersion,
          message.uploadServerVersion,
          message.queryVersion,
          message.batchState,
          String(message.progressEstimate),
          ...body.headerFields,
        ],
        body.bytes,
      );
    }
    case "unbound":
      return frame(["unbound", message.session]);
    case "pong":
      return frame(["pong", message.timestamp]);
    case "query_error": {
      const text = utf8Bytes(message.message);
      return frame(
        ["query_error", message.code, text.length, message.session, message.queryVersion],
        text,
      );
    }
    case "log_message": {
      const body = utf8Bytes(message.body);
      return frame(["log_message", message.session, body.length], body);
    }
    case "mark":
    case "json_error":
    case "test_command":
      return encodeSharedMessage(message);
  }
}

export function decodeServerMessage(
  bytes: Uint8Array,
  limits: DecodeLimits = {},
): RealmServerMessage {
  const reader = openFrame(bytes);
  const type = reader.word();
  switch (type) {
    case "ident": {
      const session = reader.number("session");
      const clientFileIdent = reader.number("client file ident");
      const clientFileSalt = reader.number("client file salt", "newline");
      reader.expectEnd("ident");
      return { type, session, clientFileIdent, clientFileSalt };
    }
    case "download": {
      const session = reader.number("session");
      const downloadServerVersion = reader.number("download server version");
      const downloadClientVersion = reader.number("download client version");
      const latestServerVersion = reader.number("latest server version");
      const latestServerSalt = reader.number("latest server salt");
      const uploadClientVersion = reader.number("upload client version");
      const uploadServerVersion = reader.number("upload server version");
      const queryVersion = reader.number("query version");
      const batchState = reader.number("batch state");
      if (batchState > 2) reader.fail("batch state");
      const progressEstimate = reader.fraction("progress estimate");
      if (progressEstimate < 0 || progressEstimate > 1) reader.fail("progress estimate");
      const compressed = reader.bool("is compressed");
      const uncompressedSize = reader.number("uncompressed size");
      const compressedSize = reader.number("compressed size", "newline");
      const header = { compressed, uncompressedSize, compressedSize };
      const changesets = readChangesetList(
        reader,
        header,
        6,
        (fields, changeset): DownloadChangeset => {
          const [serverVersion = 0, lastIntegratedClientVersion = 0, originTimestamp = 0] = fields;
          return {
            serverVersion,
            lastIntegratedClientVersion,
            originTimestamp,
            originFileIdent: fields[3] ?? 0,
            originalSize: fields[4] ?? 0,
            changeset,
          };
        },
        limits,
      );
      return {
        type,
        session,
        downloadServerVersion,
        downloadClientVersion,
        latestServerVersion,
        latestServerSalt,
        uploadClientVersion,
        uploadServerVersion,
        queryVersion,
        batchState: batchState as DownloadBatchState,
        progressEstimate,
        changesets,
      };
    }
    case "unbound": {
      const session = reader.number("session", "newline");
      reader.expectEnd("unbound");
      return { type, session };
    }
    case "pong": {
      const timestamp = reader.number("timestamp", "newline");
      reader.expectEnd("pong");
      return { type, timestamp };
    }
    case "query_error": {
      const code = reader.number("error code");
      const size = reader.number("message size");
      const session = reader.number("session");
      const queryVersion = reader.number("query version", "newline");
      const message = readTextBody(reader, size, "query error message", limits);
      return { type, code, session, queryVersion, message };
    }
    case "log_message": {
      const session = reader.number("session");
      const size = reader.number("body size", "newline");
      return { type, session, body: readTextBody(reader, size, "log message", limits) };
    }
    default:
      return decodeSharedMessage(type, reader, limits);
  }
}

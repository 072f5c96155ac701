/** The messages a realm-core client sends, to and from bytes. */
import { encodeChangesetList, readChangesetList } from "./changesetList.js";
import {
  DEFAULT_MAX_BODY_BYTES,
  frame,
  openFrame,
  readTextBody,
  utf8Bytes,
  type DecodeLimits,
} from "./messageFrame.js";
import type { RealmClientMessage, UploadChangeset } from "./realmMessages.js";
import { decodeSharedMessage, encodeSharedMessage } from "./sharedMessages.js";

export function decodeClientMessage(
  bytes: Uint8Array,
  limits: DecodeLimits = {},
): RealmClientMessage {
  const reader = openFrame(bytes);
  const type = reader.word();
  switch (type) {
    case "bind": {
      const session = reader.number("session");
      const pathSize = reader.number("path size");
      const tokenSize = reader.number("token size");
      const needClientFileIdent = reader.bool("need client file ident");
      const isSubserver = reader.bool("is subserver", "newline");
      const max = limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      if (pathSize > max || tokenSize > max) reader.fail("bind body size");
      const path = reader.text(pathSize, "bind path");
      const token = readTextBody(reader, tokenSize, "bind token", limits);
      return { type, session, path, token, needClientFileIdent, isSubserver };
    }
    case "ident": {
      const session = reader.number("session");
      const clientFileIdent = reader.number("client file ident");
      const clientFileSalt = reader.number("client file salt");
      const scanServerVersion = reader.number("download server version");
      const scanClientVersion = reader.number("download client version");
      const latestServerVersion = reader.number("latest server version");
      const latestServerSalt = reader.number("latest server salt");
      const queryVersion = reader.number("query version");
      const querySize = reader.number("query size", "newline");
      return {
        type,
        session,
        clientFileIdent,
        clientFileSalt,
        scanServerVersion,
        scanClientVersion,
        latestServerVersion,
        latestServerSalt,
        queryVersion,
        query: readTextBody(reader, querySize, "query", limits),
      };
    }
    case "query": {
      const session = reader.number("session");
      const queryVersion = reader.number("query version");
      const querySize = reader.number("query size", "newline");
      const query = readTextBody(reader, querySize, "query", limits);
      return { type, session, queryVersion, query };
    }
    case "upload": {
      const session = reader.number("session");
      const compressed = reader.bool("is compressed");
      const uncompressedSize = reader.number("uncompressed size");
      const compressedSize = reader.number("compressed size");
      const progressClientVersion = reader.number("progress client version");
      const progressServerVersion = reader.number("progress server version");
      const lockedServerVersion = reader.number("locked server version", "newline");
      const header = { compressed, uncompressedSize, compressedSize };
      const changesets = readChangesetList(
        reader,
        header,
        5,
        (fields, changeset): UploadChangeset => {
          const [clientVersion = 0, lastIntegratedServerVersion = 0, originTimestamp = 0] = fields;
          return {
            clientVersion,
            lastIntegratedServerVersion,
            originTimestamp,
            originFileIdent: fields[3] ?? 0,
            changeset,
          };
        },
        limits,
      );
      return {
        type,
        session,
        progressClientVersion,
        progressServerVersion,
        lockedServerVersion,
        changesets,
      };
    }
    case "unbind": {
      const session = reader.number("session", "newline");
      reader.expectEnd("unbind");
      return { type, session };
    }
    case "ping": {
      const timestamp = reader.number("timestamp");
      const rtt = reader.number("round-trip time", "newline");
      reader.expectEnd("ping");
      return { type, timestamp, rtt };
    }
    default:
      return decodeSharedMessage(type, reader, limits);
  }
}

export function encodeClientMessage(message: RealmClientMessage): Uint8Array {
  switch (message.type) {
    case "bind": {
      const path = utf8Bytes(message.path);
      const token = utf8Bytes(message.token);
      const flags = [message.needClientFileIdent ? 1 : 0, message.isSubserver ? 1 : 0];
      return frame(["bind", message.session, path.length, token.length, ...flags], path, token);
    }
    case "ident": {
      const query = utf8Bytes(message.query);
      return frame(
        [
          "ident",
          message.session,
          message.clientFileIdent,
          message.clientFileSalt,
          message.scanServerVersion,
          message.scanClientVersion,
          message.latestServerVersion,
          message.latestServerSalt,
          message.queryVersion,
          query.length,
        ],
        query,
      );
    }
    case "query": {
      const query = utf8Bytes(message.query);
      return frame(["query", message.session, message.queryVersion, query.length], query);
    }
    case "upload": {
      const body = encodeChangesetList(
        message.changesets.map((entry) => ({
          fields: [
            entry.clientVersion,
            entry.lastIntegratedServerVersion,
            entry.originTimestamp,
            entry.originFileIdent,
          ],
          changeset: entry.changeset,
        })),
      );
      return frame(
        [
          "upload",
          message.session,
          ...body.headerFields,
          message.progressClientVersion,
          message.progressServerVersion,
          message.lockedServerVersion,
        ],
        body.bytes,
      );
    }
    case "unbind":
      return frame(["unbind", message.session]);
    case "ping":
      return frame(["ping", message.timestamp, message.rtt]);
    case "mark":
    case "json_error":
    case "test_command":
      return encodeSharedMessage(message);
  }
}

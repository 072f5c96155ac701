/**
 * Frames ↔ messages. One message is one BSON document in one binary WebSocket frame.
 *
 * Why BSON: changesets carry BSON values (Long, Double, Decimal128, UUID, ObjectId, Date,
 * Binary) that must round-trip exactly; BSON keeps their types without an extension layer,
 * both ends already depend on the bson package, and its serializer is among the fastest
 * binary encoders available to JavaScript. Every frame is validated before use: a peer's
 * frame is never trusted.
 */
import { BSON } from "bson";
import { z } from "zod";
import { SyncErrorCode } from "../syncErrors.js";
import { SyncProtocolError } from "./SyncProtocolError.js";
import { bindMessage } from "./messages/bind.js";
import {
  logMessage,
  markMessage,
  pingMessage,
  pongMessage,
  unbindMessage,
  unboundMessage,
} from "./messages/control.js";
import { downloadMessage } from "./messages/download.js";
import { clientErrorMessage, serverErrorMessage } from "./messages/error.js";
import { clientIdentMessage, serverIdentMessage } from "./messages/ident.js";
import { queryErrorMessage, queryMessage } from "./messages/query.js";
import { uploadMessage } from "./messages/upload.js";

/** Upload frames larger than this are refused with limits_exceeded (Atlas' default is 16 MB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export const clientMessage = z.discriminatedUnion("type", [
  bindMessage,
  clientIdentMessage,
  queryMessage,
  uploadMessage,
  markMessage,
  unbindMessage,
  pingMessage,
  clientErrorMessage,
]);
export type ClientMessage = z.output<typeof clientMessage>;

export const serverMessage = z.discriminatedUnion("type", [
  serverIdentMessage,
  downloadMessage,
  markMessage,
  unboundMessage,
  pongMessage,
  serverErrorMessage,
  queryErrorMessage,
  logMessage,
]);
export type ServerMessage = z.output<typeof serverMessage>;

/** Encodes a message for sending. Absent optional fields are left out of the frame. */
export function encodeMessage(message: ClientMessage | ServerMessage): Uint8Array {
  return BSON.serialize(message, { ignoreUndefined: true });
}

function decodeWith<S extends z.ZodTypeAny>(
  schema: S,
  frame: Uint8Array,
  maxBytes: number,
): z.output<S> {
  if (frame.byteLength > maxBytes) {
    throw new SyncProtocolError(
      SyncErrorCode.LimitsExceeded,
      `Message of ${frame.byteLength} bytes exceeds the limit of ${maxBytes} bytes`,
    );
  }
  let document: Record<string, unknown>;
  try {
    document = BSON.deserialize(frame, { promoteLongs: false, promoteBuffers: false });
  } catch (error) {
    throw new SyncProtocolError(
      SyncErrorCode.BadSyntax,
      `Message is not a BSON document: ${(error as Error).message}`,
    );
  }
  const result = schema.safeParse(document);
  if (result.success) return result.data as z.output<S>;
  const type = document.type;
  const known =
    schema instanceof z.ZodDiscriminatedUnion &&
    typeof type === "string" &&
    schema.optionsMap.has(type);
  if (!known) {
    throw new SyncProtocolError(
      SyncErrorCode.UnknownMessage,
      `Unknown message type ${JSON.stringify(type)}`,
    );
  }
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at '${issue.path.join(".")}'` : "";
  throw new SyncProtocolError(
    SyncErrorCode.BadSyntax,
    `Malformed '${String(type)}' message${where}: ${issue?.message ?? "invalid"}`,
  );
}

/** Decodes and validates a frame a client sent. Throws SyncProtocolError (102, 103, 104). */
export function decodeClientMessage(
  frame: Uint8Array,
  maxBytes = DEFAULT_MAX_MESSAGE_BYTES,
): ClientMessage {
  return decodeWith(clientMessage, frame, maxBytes);
}

/** Decodes and validates a frame a server sent. Throws SyncProtocolError (102, 103, 104). */
export function decodeServerMessage(
  frame: Uint8Array,
  maxBytes = Number.MAX_SAFE_INTEGER,
): ServerMessage {
  return decodeWith(serverMessage, frame, maxBytes);
}

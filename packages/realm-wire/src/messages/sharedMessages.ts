/** The messages whose shape is the same whichever side sends them, to and from bytes. */
import type { FieldReader } from "./FieldReader.js";
import {
  frame,
  readTextBody,
  unknownMessage,
  utf8Bytes,
  type DecodeLimits,
} from "./messageFrame.js";
import type { RealmSharedMessage } from "./realmMessages.js";

/** Decodes a shared message after its type word; any other type is an unknown message. */
export function decodeSharedMessage(
  type: string,
  reader: FieldReader,
  limits: DecodeLimits,
): RealmSharedMessage {
  switch (type) {
    case "mark": {
      const session = reader.number("session");
      const requestIdent = reader.number("request ident", "newline");
      reader.expectEnd("mark");
      return { type, session, requestIdent };
    }
    case "json_error": {
      const code = reader.number("error code");
      const size = reader.number("body size");
      const session = reader.number("session", "newline");
      return { type, code, session, body: readTextBody(reader, size, "error body", limits) };
    }
    case "test_command": {
      const session = reader.number("session");
      const requestIdent = reader.number("request ident");
      const size = reader.number("body size", "newline");
      const body = readTextBody(reader, size, "test command body", limits);
      return { type, session, requestIdent, body };
    }
    default:
      return unknownMessage(type);
  }
}

export function encodeSharedMessage(message: RealmSharedMessage): Uint8Array {
  switch (message.type) {
    case "mark":
      return frame(["mark", message.session, message.requestIdent]);
    case "json_error": {
      const body = utf8Bytes(message.body);
      return frame(["json_error", message.code, body.length, message.session], body);
    }
    case "test_command": {
      const body = utf8Bytes(message.body);
      return frame(["test_command", message.session, message.requestIdent, body.length], body);
    }
  }
}

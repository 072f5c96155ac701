/**
 * How a connection's frames become Atoll sync messages and back. Atoll's own protocol is one
 * wire; realm-core's (native Realm apps) is another, which translates its messages into these
 * so that both reach the same sessions, history, merge and permissions.
 */
import {
  NESTED_COLLECTIONS_VERSION,
  decodeClientMessage,
  encodeMessage,
  type ClientMessage,
  type ServerMessage,
} from "@atoll/protocol";
import type { RqlSchema } from "@atoll/rql";
import { changesetWithoutNestedCollections } from "../nestedCollections.js";

/** The WebSocket close that replaces a message a wire cannot send (the client reacts to the code). */
export interface WireClose {
  readonly closeCode: number;
  readonly reason: string;
}

export interface SyncWire {
  /** The protocol version negotiated, undefined when the client offered none this server speaks. */
  readonly protocolVersion: number | undefined;
  /**
   * The messages one frame means: usually one, none when the wire waits for more (a realm-core
   * bind that waits for its ident). Throws a SyncProtocolError for a frame it cannot read.
   */
  decode(frame: Uint8Array): ClientMessage[];
  /** Settles what a message needs before it is handled (a realm-core upload's schema). */
  admit?(message: ClientMessage): Promise<void>;
  /**
   * The answer the wire gives itself to a message no session handles (realm-core's unbind of
   * a bind the wire still holds for its ident), or undefined.
   */
  answer?(message: ClientMessage): ServerMessage | undefined;
  /**
   * Whether a fatal session-level error ends that session alone and the connection stays
   * open (realm-core's protocol: the client unbinds the session and binds others on the same
   * connection). Atoll's own clients expect the connection closed.
   */
  readonly sessionErrorsKeepConnection?: boolean;
  /** The frame for a message, or the close that stands for it. */
  encode(message: ServerMessage): Uint8Array | WireClose;
}

/**
 * Atoll's own protocol (`atoll-sync#N`). A client before version 3 cannot read lists and
 * dictionaries inside mixed values: its downloads go out without them (`nestedCollections.ts`).
 */
export class AtollWire implements SyncWire {
  constructor(
    readonly protocolVersion: number | undefined,
    private readonly maxMessageBytes: number,
    /** The app's synced schema now (development mode may add to it). */
    private readonly schema?: () => RqlSchema,
  ) {}

  decode(frame: Uint8Array): ClientMessage[] {
    return [decodeClientMessage(frame, this.maxMessageBytes)];
  }

  encode(message: ServerMessage): Uint8Array {
    const legacy = (this.protocolVersion ?? 0) < NESTED_COLLECTIONS_VERSION;
    if (!legacy || message.type !== "download" || this.schema === undefined)
      return encodeMessage(message);
    const schema = this.schema();
    return encodeMessage({
      ...message,
      changesets: message.changesets.map((entry) => ({
        ...entry,
        changeset: changesetWithoutNestedCollections(schema, entry.changeset),
      })),
    });
  }
}

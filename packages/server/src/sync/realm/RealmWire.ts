/**
 * realm-core's flexible-sync protocol as a wire of the sync service: each realm-core message
 * becomes the Atoll message that means the same, and each Atoll message the realm-core one, so
 * native Realm apps reach the same sessions, history, merge, permissions and subscriptions as
 * Atoll clients. What differs is settled here:
 *
 * - A realm-core BIND that already has a file identity carries none: it follows in the IDENT,
 *   so the bind waits for it. The client's schema comes in its uploads (AddTable, AddColumn),
 *   checked before the upload is handled (`admit`).
 * - Changesets are decoded and encoded in realm-core's format and translated instruction by
 *   instruction; timestamps count from 2015 there and from 1970 in Atoll.
 * - A bootstrap's last batch always carries a changeset (an empty one if need be): realm-core
 *   waits forever for one that has none.
 * - A bind unbound before its IDENT never reached a session: the wire answers `unbound` itself.
 * - realm-core reports with `json_error` only changes it could not integrate; the session is
 *   then answered with a client reset (`bad_client_file`), the one way out for that file.
 */
import {
  ChangesetFormatError,
  decodeChangeset,
  encodeChangeset,
  SyncErrorCode,
  SyncProtocolError,
  type ClientMessage,
  type DownloadMessage,
  type Instruction,
  type ServerMessage,
  type UploadMessage,
} from "@atoll/protocol";
import {
  atollToRealm,
  decodeClientMessage,
  decodeRealmChangeset,
  encodeRealmChangeset,
  encodeServerMessage,
  realmToAtoll,
  type CollectionKinds,
  type DownloadChangeset,
  type FloatProperties,
  type RealmClientMessage,
  type RealmSchemaInstruction,
} from "@atoll/realm-wire";
import type { SyncWire, WireClose } from "../service/SyncWire.js";
import { clientSchemaOf } from "./realmClientSchema.js";
import { bindBody, clientErrorText, queryBody } from "./realmJsonBodies.js";
import { realmErrorFrame } from "./realmErrorFrame.js";
import { PROGRESS_ESTIMATE_VERSION } from "./realmSubprotocol.js";

/** realm-core's changeset timestamps are milliseconds since 2015-01-01T00:00:00Z. */
export const REALM_EPOCH_MS = Date.UTC(2015, 0, 1);

/** What the wire needs from the app: its schema's answers, and the check of a client schema. */
export interface RealmWireContext extends CollectionKinds, FloatProperties {
  acceptSchema(schema: readonly Record<string, unknown>[]): Promise<void>;
  /** The app's synced schema as AddTable/AddColumn, for the fresh file of a client reset. */
  schemaInstructions(): RealmSchemaInstruction[];
  readonly maxMessageBytes: number;
  /** The instructions without lists and dictionaries in mixed values (clients before protocol 13). */
  withoutNestedCollections?(instructions: Instruction[]): Instruction[];
}

/** realm-core's first protocol version that syncs lists and dictionaries inside mixed values. */
export const REALM_NESTED_COLLECTIONS_VERSION = 13;

interface PendingBind {
  readonly schemaVersion: number;
}

export class RealmWire implements SyncWire {
  /** Binds waiting for the client's IDENT, by session. */
  private readonly pendingBinds = new Map<number, PendingBind>();
  readonly sessionErrorsKeepConnection = true;
  /** Sessions of a client reset's fresh file, whose first download must bring the schema. */
  private readonly freshFiles = new Set<number>();
  /** Sessions unbound while their bind waited for the IDENT: the wire answers their unbind. */
  private readonly unboundBeforeIdent = new Set<number>();
  /** Schema instructions of uploads not handled yet. */
  private readonly schemas = new WeakMap<UploadMessage, RealmSchemaInstruction[]>();

  constructor(
    readonly protocolVersion: number,
    private readonly context: RealmWireContext,
  ) {}

  decode(frame: Uint8Array): ClientMessage[] {
    const message = decodeClientMessage(frame, { maxBodyBytes: this.context.maxMessageBytes });
    return this.translate(message);
  }

  async admit(message: ClientMessage): Promise<void> {
    if (message.type === "error")
      throw new SyncProtocolError(
        SyncErrorCode.BadClientFile,
        `The device could not integrate the server's changes, so it must reset its copy: ${message.message}`,
      );
    if (message.type !== "upload") return;
    const schema = this.schemas.get(message);
    if (schema !== undefined && schema.length > 0)
      await this.context.acceptSchema(clientSchemaOf(schema));
  }

  answer(message: ClientMessage): ServerMessage | undefined {
    if (message.type === "unbind" && this.unboundBeforeIdent.delete(message.session))
      return { type: "unbound", session: message.session };
    return undefined;
  }

  encode(message: ServerMessage): Uint8Array | WireClose {
    switch (message.type) {
      case "ident":
        return encodeServerMessage({
          type: "ident",
          session: message.session,
          clientFileIdent: message.clientFileIdent,
          clientFileSalt: message.salt,
        });
      case "download":
        return encodeServerMessage(this.download(message));
      case "mark":
        return encodeServerMessage({
          type: "mark",
          session: message.session,
          requestIdent: message.requestId,
        });
      case "unbound":
      case "pong":
        return encodeServerMessage(message);
      case "queryError":
        return encodeServerMessage({
          type: "query_error",
          code: message.code,
          session: message.session,
          queryVersion: message.queryVersion,
          message: message.message,
        });
      case "log":
        return encodeServerMessage({
          type: "log_message",
          session: message.session,
          body: JSON.stringify({ level: message.level, msg: message.message }),
        });
      case "error":
        return realmErrorFrame(message);
    }
  }

  private translate(message: RealmClientMessage): ClientMessage[] {
    switch (message.type) {
      case "bind": {
        const { schemaVersion, clientReset } = bindBody(message.path);
        if (clientReset) this.freshFiles.add(message.session);
        else this.freshFiles.delete(message.session);
        if (message.needClientFileIdent) {
          return [
            {
              type: "bind",
              session: message.session,
              clientFileIdent: null,
              schemaVersion,
              schema: [],
            },
          ];
        }
        this.pendingBinds.set(message.session, { schemaVersion });
        return [];
      }
      case "ident": {
        const ident: ClientMessage = {
          type: "ident",
          session: message.session,
          clientFileIdent: message.clientFileIdent,
          salt: message.clientFileSalt,
          download: {
            serverVersion: message.scanServerVersion,
            lastIntegratedClientVersion: message.scanClientVersion,
          },
          latestServerVersion: {
            version: message.latestServerVersion,
            salt: message.latestServerSalt,
          },
          queryVersion: message.queryVersion,
          query: queryBody(message.query),
        };
        const pending = this.pendingBinds.get(message.session);
        if (pending === undefined) return [ident];
        this.pendingBinds.delete(message.session);
        const bind: ClientMessage = {
          type: "bind",
          session: message.session,
          clientFileIdent: { ident: message.clientFileIdent, salt: message.clientFileSalt },
          schemaVersion: pending.schemaVersion,
          schema: [],
        };
        return [bind, ident];
      }
      case "query":
        return [
          {
            type: "query",
            session: message.session,
            queryVersion: message.queryVersion,
            query: queryBody(message.query),
          },
        ];
      case "upload":
        return [this.upload(message)];
      case "mark":
        return [{ type: "mark", session: message.session, requestId: message.requestIdent }];
      case "unbind":
        if (this.pendingBinds.delete(message.session)) this.unboundBeforeIdent.add(message.session);
        return [{ type: "unbind", session: message.session }];
      case "ping":
        return [message];
      case "json_error":
        return [
          {
            type: "error",
            session: message.session,
            code: message.code,
            message: clientErrorText(message.body),
          },
        ];
      case "test_command":
        throw new SyncProtocolError(
          SyncErrorCode.UnknownMessage,
          "test_command is for realm-core's own test server",
        );
    }
  }

  private upload(message: Extract<RealmClientMessage, { type: "upload" }>): UploadMessage {
    const schema: RealmSchemaInstruction[] = [];
    const changesets = message.changesets.map((entry) => {
      const translated = translateUpload(entry.changeset, this.context);
      schema.push(...translated.schema);
      return {
        clientVersion: entry.clientVersion,
        lastIntegratedServerVersion: entry.lastIntegratedServerVersion,
        originTimestamp: entry.originTimestamp + REALM_EPOCH_MS,
        changeset: encodeChangeset(translated.instructions),
      };
    });
    const upload: UploadMessage = {
      type: "upload",
      session: message.session,
      progress: {
        clientVersion: message.progressClientVersion,
        lastIntegratedServerVersion: message.progressServerVersion,
      },
      lockedServerVersion: message.lockedServerVersion,
      changesets,
    };
    this.schemas.set(upload, schema);
    return upload;
  }

  private download(message: DownloadMessage) {
    const changesets: DownloadChangeset[] = message.changesets.map((entry) => {
      let instructions = decodeChangeset(entry.changeset);
      if (this.protocolVersion < REALM_NESTED_COLLECTIONS_VERSION)
        instructions = this.context.withoutNestedCollections?.(instructions) ?? instructions;
      const bytes = encodeRealmChangeset(atollToRealm(instructions, this.context));
      return {
        serverVersion: entry.serverVersion,
        lastIntegratedClientVersion: entry.lastIntegratedClientVersion,
        originTimestamp: Math.max(0, entry.originTimestamp - REALM_EPOCH_MS),
        originFileIdent: entry.originFileIdent,
        originalSize: bytes.length,
        changeset: bytes,
      };
    });
    if (this.freshFiles.delete(message.session)) {
      const schema = encodeRealmChangeset(this.context.schemaInstructions());
      const first = changesets[0];
      changesets.unshift({
        serverVersion: first?.serverVersion ?? message.download.serverVersion,
        lastIntegratedClientVersion:
          first?.lastIntegratedClientVersion ?? message.download.lastIntegratedClientVersion,
        originTimestamp: Math.max(0, Date.now() - REALM_EPOCH_MS),
        originFileIdent: 1,
        originalSize: schema.length,
        changeset: schema,
      });
    }
    if (message.batchState !== 2 && changesets.length === 0) {
      changesets.push({
        serverVersion: message.download.serverVersion,
        lastIntegratedClientVersion: message.download.lastIntegratedClientVersion,
        originTimestamp: Math.max(0, Date.now() - REALM_EPOCH_MS),
        originFileIdent: 1,
        originalSize: 0,
        changeset: new Uint8Array(0),
      });
    }
    return {
      type: "download" as const,
      session: message.session,
      downloadServerVersion: message.download.serverVersion,
      downloadClientVersion: message.download.lastIntegratedClientVersion,
      latestServerVersion: message.latestServerVersion.version,
      latestServerSalt: message.latestServerVersion.salt,
      uploadClientVersion: message.upload.clientVersion,
      uploadServerVersion: message.upload.lastIntegratedServerVersion,
      queryVersion: message.queryVersion,
      batchState: message.batchState,
      // Before protocol 12 the field is downloadable bytes, an integer Atlas left at 0.
      progressEstimate:
        this.protocolVersion >= PROGRESS_ESTIMATE_VERSION ? message.progressEstimate : 0,
      changesets,
    };
  }
}

/** A changeset that cannot be read or has no Atoll meaning is the client's bad changeset (212). */
function translateUpload(changeset: Uint8Array, kinds: CollectionKinds) {
  try {
    return realmToAtoll(decodeRealmChangeset(changeset), kinds);
  } catch (error) {
    if (!(error instanceof ChangesetFormatError)) throw error;
    throw new SyncProtocolError(SyncErrorCode.BadChangeset, error.message, { cause: error });
  }
}

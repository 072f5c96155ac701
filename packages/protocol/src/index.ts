export { AtollError } from "./AtollError.js";
export { AppError, AppErrorCode, APP_ERRORS, isAppErrorCode } from "./appErrors.js";
export type { AppErrorInfo } from "./appErrors.js";
export { SyncErrorAction, SyncErrorCode, SYNC_ERRORS, isSyncErrorCode } from "./syncErrors.js";
export type { SyncErrorInfo } from "./syncErrors.js";
export {
  INSTRUCTIONS_VERSION,
  INSTRUCTION_SHAPES,
  ChangesetFormatError,
  nestedCollectionOf,
  validateInstruction,
} from "./instructions.js";
export { decodeChangeset, encodeChangeset } from "./changesetCodec.js";
export type {
  AddInteger,
  ArrayErase,
  ArrayInsert,
  ArrayMove,
  Clear,
  CollectionType,
  CreateObject,
  Erase,
  EraseObject,
  Instruction,
  InstructionType,
  InstructionValue,
  LinkValue,
  ListValue,
  DictionaryValue,
  NestedCollectionValue,
  ObjectValue,
  Path,
  PathElement,
  PrimaryKey,
  SetErase,
  SetInsert,
  Update,
} from "./instructions.js";
export {
  SYNC_PROTOCOL_VERSION,
  OLDEST_SUPPORTED_PROTOCOL_VERSION,
  RECOVERY_MODE_FLAG_VERSION,
  NESTED_COLLECTIONS_VERSION,
  SUBPROTOCOL_PREFIX,
  negotiateProtocolVersion,
  offeredSubprotocols,
  subprotocolFor,
} from "./sync/version.js";
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  clientMessage,
  decodeClientMessage,
  decodeServerMessage,
  encodeMessage,
  serverMessage,
} from "./sync/codec.js";
export type { ClientMessage, ServerMessage } from "./sync/codec.js";
export { SyncProtocolError } from "./sync/SyncProtocolError.js";
export { BatchState } from "./sync/messages/download.js";
export type { DownloadChangeset, DownloadMessage } from "./sync/messages/download.js";
export type { UploadChangeset, UploadMessage } from "./sync/messages/upload.js";
export type { BindMessage } from "./sync/messages/bind.js";
export type { ClientIdentMessage, ServerIdentMessage } from "./sync/messages/ident.js";
export type { QueryErrorMessage, QueryMessage } from "./sync/messages/query.js";
export type {
  ClientErrorMessage,
  RejectedUpdate,
  ServerErrorMessage,
} from "./sync/messages/error.js";
export type {
  LogMessage,
  MarkMessage,
  PingMessage,
  PongMessage,
  UnbindMessage,
  UnboundMessage,
} from "./sync/messages/control.js";
export type { DownloadCursor, SaltedVersion, UploadCursor } from "./sync/fields.js";
export {
  deserializeEjson,
  isPlainObject,
  normaliseNumbers,
  stringifyCanonicalEjson,
} from "./ejson.js";

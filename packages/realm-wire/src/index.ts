/**
 * realm-core's flexible-sync wire format, with no I/O: the message framing both ways, the
 * binary changeset codec, and the translation between realm-core's instructions and Atoll's.
 */
export * from "./changeset/realmInstructions.js";
export { decodeRealmChangeset } from "./changeset/decodeRealmChangeset.js";
export { encodeRealmChangeset } from "./changeset/encodeRealmChangeset.js";
export { encodeErrorPrimaryKey } from "./changeset/errorPrimaryKey.js";
export * from "./messages/realmMessages.js";
export { decodeClientMessage, encodeClientMessage } from "./messages/clientMessageCodec.js";
export { decodeServerMessage, encodeServerMessage } from "./messages/serverMessageCodec.js";
export { DEFAULT_MAX_BODY_BYTES, type DecodeLimits } from "./messages/messageFrame.js";
export { jsonErrorBody } from "./messages/jsonErrorBody.js";
export type { JsonErrorBody, RealmErrorAction, RejectedUpdate } from "./messages/jsonErrorBody.js";
export { realmToAtoll } from "./translate/realmToAtoll.js";
export type { CollectionKinds, TranslatedChangeset } from "./translate/realmToAtoll.js";
export { atollToRealm } from "./translate/atollToRealm.js";
export type { FloatProperties } from "./translate/atollToRealm.js";
export {
  payloadFromAtoll,
  payloadToAtoll,
  primaryKeyFromAtoll,
  primaryKeyToAtoll,
} from "./translate/realmValues.js";

/**
 * The JSON body of a server's `json_error`. realm-core treats a body without any of `message`,
 * `tryAgain`, `logURL`, `shouldClientReset`, `isRecoveryModeDisabled` or `action` as a protocol
 * violation, so the type makes them all required. A compensating write (231) also names the
 * rejected objects, the client version that carried them and the server version whose
 * download undoes them; the client reports the error only once that download arrives.
 */

export type RealmErrorAction =
  | "ProtocolViolation"
  | "ApplicationBug"
  | "Warning"
  | "Transient"
  | "DeleteRealm"
  | "ClientReset"
  | "ClientResetNoRecovery"
  | "RefreshUser"
  | "RefreshLocation"
  | "LogOutUser";

export interface RejectedUpdate {
  readonly table: string;
  /** Base64 of the primary key's payload type byte and value (see encodeErrorPrimaryKey). */
  readonly pk: string;
  readonly reason: string;
}

export interface JsonErrorBody {
  readonly message: string;
  readonly tryAgain: boolean;
  readonly action: RealmErrorAction;
  readonly shouldClientReset: boolean;
  readonly isRecoveryModeDisabled: boolean;
  readonly logURL: string;
  readonly rejectedUpdates?: readonly RejectedUpdate[];
  readonly rejectedClientVersion?: number;
  readonly compensatingWriteServerVersion?: number;
}

export function jsonErrorBody(body: JsonErrorBody): string {
  if (body.rejectedUpdates !== undefined && body.rejectedClientVersion === undefined) {
    throw new RangeError("rejectedUpdates needs rejectedClientVersion");
  }
  return JSON.stringify(body);
}

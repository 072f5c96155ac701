import { AtollError } from "../AtollError.js";
import { SYNC_ERRORS, type SyncErrorCode } from "../syncErrors.js";

/** A sync protocol violation or failure, carrying the protocol error code to send or report. */
export class SyncProtocolError extends AtollError<SyncErrorCode> {
  constructor(
    code: SyncErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }

  get isFatal(): boolean {
    return SYNC_ERRORS[this.code].fatal;
  }
}

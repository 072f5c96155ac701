import { SyncErrorCode, SyncProtocolError } from "@atoll/protocol";

/**
 * Why an uploaded changeset is refused before anything of it is judged or stored: it breaks
 * the app's schema (`bad_changeset`, 212) or a limit (`limits_exceeded`, 104). The upload
 * check turns it into the protocol error, naming the changeset and instruction.
 */
export class UploadRefusal extends Error {
  private constructor(
    readonly code: typeof SyncErrorCode.BadChangeset | typeof SyncErrorCode.LimitsExceeded,
    why: string,
  ) {
    super(why);
  }

  static schema(why: string): UploadRefusal {
    return new UploadRefusal(SyncErrorCode.BadChangeset, why);
  }

  static limit(why: string): UploadRefusal {
    return new UploadRefusal(SyncErrorCode.LimitsExceeded, why);
  }

  /** The error the device gets; `where` names the instruction when there is one. */
  toProtocolError(clientVersion: number, where = ""): SyncProtocolError {
    return new SyncProtocolError(
      this.code,
      `Changeset of client version ${clientVersion} refused: ${where}${this.message}`,
    );
  }
}

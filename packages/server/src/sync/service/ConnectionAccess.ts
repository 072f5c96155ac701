/**
 * The user and session a sync connection acts for, and when its access ends: the user deleted
 * or disabled, or the session revoked. A change made in this process is announced by auth and
 * closes the connection at once; a change another process made to the same store (`atoll
 * users`) is found by the check before each upload, so nothing more is stored, and by a
 * periodic sweep, so an idle connection does not keep receiving downloads.
 */
import { AppError, SyncErrorCode, SyncProtocolError } from "@atoll/protocol";
import { revokes, type AccessRevocation } from "../../auth/AccessRevocations.js";
import type { AuthService } from "../../auth/AuthService.js";

/** Time between two sweeps that re-check every open connection's user and session. */
export const DEFAULT_ACCESS_SWEEP_MS = 30_000;

export class ConnectionAccess {
  constructor(
    private readonly auth: AuthService,
    readonly userId: string,
    readonly sessionId: string,
  ) {}

  /** Throws bad_authentication (203) when the user or the session lost access. */
  async check(): Promise<void> {
    try {
      await this.auth.checkSession(this.userId, this.sessionId);
    } catch (error) {
      // Only a refusal ends access; a store failure is no reason to log the user out.
      if (error instanceof AppError && ["InvalidSession", "UserDisabled"].includes(error.code))
        throw accessEnded(error.message);
      throw error;
    }
  }

  endedBy(revocation: AccessRevocation): boolean {
    return revokes(revocation, this.userId, this.sessionId);
  }
}

/** The error a connection whose access ended is closed with: the client logs the user out. */
export function accessEnded(reason: string): SyncProtocolError {
  return new SyncProtocolError(
    SyncErrorCode.BadAuthentication,
    `The user's access ended (${reason}); log in again`,
  );
}

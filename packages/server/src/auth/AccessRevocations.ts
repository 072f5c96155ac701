/**
 * Announces, inside this process, that a user or one of its sessions lost access: the user was
 * deleted or disabled, or the session was revoked. Holders of long-lived connections (sync)
 * listen so they can close them at once instead of at the next token check. Another process
 * changing the same store (the `atoll users` command) cannot reach these listeners; holders
 * re-check the store as well.
 */
export interface AccessRevocation {
  readonly userId: string;
  /** Only this session lost access; absent when every session of the user did. */
  readonly sessionId?: string;
  readonly reason: "user deleted" | "user disabled" | "session revoked";
}

export type RevocationListener = (revocation: AccessRevocation) => void;

export class AccessRevocations {
  private readonly listeners = new Set<RevocationListener>();

  /** Calls `listener` for each later revocation until the returned function is called. */
  subscribe(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  announce(revocation: AccessRevocation): void {
    for (const listener of this.listeners) listener(revocation);
  }
}

/** Whether a connection of `userId` on `sessionId` is one `revocation` ends. */
export function revokes(revocation: AccessRevocation, userId: string, sessionId: string): boolean {
  return (
    revocation.userId === userId &&
    (revocation.sessionId === undefined || revocation.sessionId === sessionId)
  );
}

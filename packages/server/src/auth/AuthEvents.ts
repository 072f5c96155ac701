import type { UserContext } from "../callerContext.js";

export type AuthEventType = "CREATE" | "LOGIN" | "DELETE";

/** What happened to a user, as authentication triggers receive it (without its time). */
export interface AuthEvent {
  readonly operationType: AuthEventType;
  /** The provider types involved: the one logged in with, or all of a deleted user's. */
  readonly providers: readonly string[];
  readonly user: UserContext;
}

/**
 * Where the auth service announces user creation, login and deletion (authentication
 * triggers listen). The service awaits each announcement, so a listener decides what the
 * user waits for; a listener never fails the operation it hears of.
 */
export interface AuthEvents {
  announce(event: AuthEvent): Promise<void>;
}

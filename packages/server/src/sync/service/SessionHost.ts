/** What a sync session needs from the connection it runs on. */
import type { ServerMessage } from "@atoll/protocol";

export interface SessionHost {
  send(message: ServerMessage): void;
  /**
   * Resolves once the connection's outgoing buffer is below its high-water mark, never in
   * the same turn of the event loop (a sender of many messages awaits it between them):
   * true, or false when the connection has closed (the sender stops).
   */
  writable(): Promise<boolean>;
  /** Runs `task` in the connection's queue, after everything queued before it. */
  enqueue(task: () => Promise<void>): void;
  /** The connection's access token, re-checked on bind. */
  readonly accessToken: string;
}

/** What a sync session needs from the connection it runs on. */
import type { ServerMessage } from "@atoll/protocol";

export interface SessionHost {
  send(message: ServerMessage): void;
  /** Runs `task` in the connection's queue, after everything queued before it. */
  enqueue(task: () => Promise<void>): void;
  /** The connection's access token, re-checked on bind. */
  readonly accessToken: string;
}

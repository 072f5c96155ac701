import { z } from "zod";
import { sessionId, version } from "../fields.js";

/** Either way: a request for (client) or confirmation of (server) having sent everything up to now. */
export const markMessage = z
  .object({ type: z.literal("mark"), session: sessionId, requestId: version })
  .strict();
export type MarkMessage = z.output<typeof markMessage>;

/** Client → server: ends a session. */
export const unbindMessage = z.object({ type: z.literal("unbind"), session: sessionId }).strict();
export type UnbindMessage = z.output<typeof unbindMessage>;

/** Server → client: the session is ended (only after an unbind). */
export const unboundMessage = z.object({ type: z.literal("unbound"), session: sessionId }).strict();
export type UnboundMessage = z.output<typeof unboundMessage>;

/** Client → server keep-alive; the server echoes `timestamp` in a pong. */
export const pingMessage = z
  .object({ type: z.literal("ping"), timestamp: version, rtt: version })
  .strict();
export type PingMessage = z.output<typeof pingMessage>;

export const pongMessage = z.object({ type: z.literal("pong"), timestamp: version }).strict();
export type PongMessage = z.output<typeof pongMessage>;

/** Server → client: a line for the client's log (e.g. why a write was compensated). */
export const logMessage = z
  .object({
    type: z.literal("log"),
    session: version,
    level: z.enum(["debug", "info", "warn", "error"]),
    message: z.string(),
  })
  .strict();
export type LogMessage = z.output<typeof logMessage>;

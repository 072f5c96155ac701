import { z } from "zod";
import { queryBody, sessionId, version } from "../fields.js";

/** Client → server: a new subscription set; the server bootstraps the difference, then marks. */
export const queryMessage = z
  .object({ type: z.literal("query"), session: sessionId, queryVersion: version, query: queryBody })
  .strict();
export type QueryMessage = z.output<typeof queryMessage>;

/** Server → client: the subscription set was rejected (bad_query, 226); the session goes on. */
export const queryErrorMessage = z
  .object({
    type: z.literal("queryError"),
    session: sessionId,
    queryVersion: version,
    code: z.number().int(),
    message: z.string(),
  })
  .strict();
export type QueryErrorMessage = z.output<typeof queryErrorMessage>;

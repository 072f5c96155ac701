import { z } from "zod";
import { sessionId, version } from "../fields.js";

/**
 * Client → server: opens a session for one client file. `clientFileIdent` is null for a file
 * that has never synced: the server then allocates one and answers with `ident`. `schema`
 * lists the client's object types (checked against the app's schema, or recorded in
 * development mode).
 */
export const bindMessage = z
  .object({
    type: z.literal("bind"),
    session: sessionId,
    clientFileIdent: z.object({ ident: version, salt: version }).strict().nullable(),
    schemaVersion: version,
    schema: z.array(z.record(z.string(), z.unknown())),
  })
  .strict();
export type BindMessage = z.output<typeof bindMessage>;

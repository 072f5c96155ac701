import { z } from "zod";
import { downloadCursor, queryBody, saltedVersion, sessionId, version } from "../fields.js";

/** Server → client: the identity allocated to a new client file. */
export const serverIdentMessage = z
  .object({ type: z.literal("ident"), session: sessionId, clientFileIdent: version, salt: version })
  .strict();
export type ServerIdentMessage = z.output<typeof serverIdentMessage>;

/**
 * Client → server: the file's identity, where its download stands, and its active
 * subscription set (version 0 and `{}` before the first subscription).
 */
export const clientIdentMessage = z
  .object({
    type: z.literal("ident"),
    session: sessionId,
    clientFileIdent: version,
    salt: version,
    download: downloadCursor,
    latestServerVersion: saltedVersion,
    queryVersion: version,
    query: queryBody,
  })
  .strict();
export type ClientIdentMessage = z.output<typeof clientIdentMessage>;

/**
 * Client files as the server keeps them (one document each in `CLIENT_FILES`): identity and
 * owner, the newest client version integrated, and what history compaction needs to know
 * about the file: when it was last seen, the download cursor it last reported (in `ident` or
 * an upload's progress), the server version its last integrated upload was based on, and
 * whether it expired. Files stored before these fields existed lack them until first touched.
 */
import type { Document } from "../../data/types.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { isConflict, MAX_ATTEMPTS } from "./historyWrites.js";
import { CLIENT_FILES } from "./syncNamespaces.js";
import type { ReadFingerprints } from "../permissions/readFingerprints.js";

function isFingerprints(value: unknown): value is ReadFingerprints {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.values(value).every((digest) => typeof digest === "string")
  );
}

export interface ClientFileRecord {
  readonly ident: number;
  readonly salt: number;
  readonly userId: string;
  readonly integratedClientVersion: number;
  /** When the file was last connected (ms since the Unix epoch). */
  readonly lastSeen?: number;
  /** The server version the client last reported having downloaded through. */
  readonly downloadVersion?: number;
  /** The server version the file's last integrated upload was based on. */
  readonly uploadBase?: number;
  /** Set by compaction once the file was offline too long; it must reset to sync again. */
  readonly expired?: boolean;
  /** The read filters of its last session, per table (see readFingerprints.ts). */
  readonly readFingerprints?: ReadFingerprints;
}

export function clientFileFromDocument(doc: Document): ClientFileRecord {
  const optional = (name: string) => (typeof doc[name] === "number" ? { [name]: doc[name] } : {});
  return {
    ident: doc._id as number,
    salt: doc.salt as number,
    userId: doc.userId as string,
    integratedClientVersion: doc.integratedClientVersion as number,
    ...optional("lastSeen"),
    ...optional("downloadVersion"),
    ...optional("uploadBase"),
    ...(doc.expired === true ? { expired: true } : {}),
    ...(isFingerprints(doc.readFingerprints) ? { readFingerprints: doc.readFingerprints } : {}),
  };
}

/** What a touch records: the time the file was seen and, when the client reported one, its cursor. */
export interface Seen {
  readonly at: number;
  readonly downloadVersion?: number;
}

/**
 * Records that client file `ident` was seen. A file that no longer exists is left alone.
 */
export function recordSeen(storage: StorageEngine, ident: number, seen: Seen): Promise<void> {
  return updateClientFile(storage, ident, (doc) => ({
    ...doc,
    lastSeen: seen.at,
    ...(seen.downloadVersion === undefined ? {} : { downloadVersion: seen.downloadVersion }),
  }));
}

/** Records the read filters client file `ident` syncs by (see readFingerprints.ts). */
export function recordReadFingerprints(
  storage: StorageEngine,
  ident: number,
  fingerprints: ReadFingerprints,
): Promise<void> {
  return updateClientFile(storage, ident, (doc) => ({ ...doc, readFingerprints: fingerprints }));
}

/**
 * Read, change, write of one client file's document, retried when an upload or another update
 * wrote it meanwhile. A file that no longer exists is left alone.
 */
async function updateClientFile(
  storage: StorageEngine,
  ident: number,
  change: (doc: Document) => Document,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const stored = await storage.get(CLIENT_FILES, ident);
    if (!stored) return;
    try {
      await storage.commit([
        {
          kind: "replace",
          ns: CLIENT_FILES,
          doc: change(stored.doc),
          expectedVersion: stored.version,
        },
      ]);
      return;
    } catch (error) {
      if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

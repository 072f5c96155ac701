/**
 * Where a device keeps its asymmetric (data ingest) objects: not as objects — they cannot be
 * read, so a write transaction drops them at commit — but inside the changeset that created
 * them, in the upload log, until the server acknowledges it and the log is trimmed. This tracks
 * which pending changesets hold such objects, so `Realm.isEmpty` stays false while the device
 * still holds ingested data it has not handed over.
 */
import { decodeChangeset } from "@atoll/protocol";
import type { LocalStore } from "../store/LocalStore.js";

export class PendingIngest {
  /** Upload-log versions of pending changesets that create ingested objects; read on first use. */
  private versions: Set<number> | undefined;

  constructor(
    private readonly store: LocalStore,
    /** The asymmetric types of the schema. */
    private readonly tables: ReadonlySet<string>,
  ) {}

  /** A local changeset that created ingested objects was appended to the upload log as `version`. */
  appended(version: number): void {
    this.versions?.add(version);
  }

  /** The upload log was trimmed through `version`. */
  trimmed(version: number): void {
    if (!this.versions) return;
    for (const pending of this.versions) if (pending <= version) this.versions.delete(pending);
  }

  /** Whether any pending changeset still holds ingested objects. */
  any(): boolean {
    if (this.tables.size === 0) return false;
    this.versions ??= this.read();
    return this.versions.size > 0;
  }

  private read(): Set<number> {
    const versions = new Set<number>();
    for (const entry of this.store.readUploadLog()) {
      const instructions = decodeChangeset(entry.changeset);
      if (instructions.some((i) => i.type === "CreateObject" && this.tables.has(i.table)))
        versions.add(entry.version);
    }
    return versions;
  }
}

import { AtollError } from "@atoll/protocol";

/** The app's schemas cannot be served by sync (a type sync has no mapping for, a broken relationship). */
export class SyncSchemaError extends AtollError<"InvalidSyncSchema"> {
  constructor(
    message: string,
    readonly where: string,
  ) {
    super("InvalidSyncSchema", message, { details: { where } });
  }
}

import { SyncErrorCode, SyncProtocolError } from "@atoll/protocol";

/** A subscription query sync will not serve: reaches the client as bad_query (226). */
export class SubscriptionQueryError extends SyncProtocolError {
  constructor(message: string, details: { table: string; query: string }) {
    super(SyncErrorCode.BadQuery, message, { details });
  }
}

/**
 * What live objects and collections need from their realm. Kept as an interface so objects,
 * collections and the Realm class do not import one another in a circle.
 */
import type { ObjectRow } from "../schema/ClassInfo.js";
import type { ObjectWriter } from "../transaction/ObjectWriter.js";
import type { LiveObject } from "../objects/symbols.js";
import type { Database } from "./Database.js";
import type { ChangeNotifier } from "../listeners/ChangeNotifier.js";
import type { RqlSchema } from "@atoll/rql";
import type { SubscriptionSet } from "../sync/SubscriptionSet.js";

export interface RealmContext {
  readonly db: Database;
  readonly notifier: ChangeNotifier;
  readonly isClosed: boolean;
  /** The writer of the open write transaction; throws the Realm error when there is none. */
  writer(): ObjectWriter;
  /** The live object for a row (one per row and realm). */
  objectFor(row: ObjectRow): LiveObject;
  /** Throws if the realm is closed. */
  checkOpen(): void;
  readonly rqlSchema: RqlSchema;
  /** The public Realm instance, handed to listeners. */
  readonly realm: unknown;
  /** The realm's newest subscription set; throws for a realm without flexible sync. */
  readonly subscriptions: SubscriptionSet;
}

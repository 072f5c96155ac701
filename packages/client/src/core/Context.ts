/**
 * The RealmContext of one Realm instance: the state its objects and collections reach through
 * (database, notifier, the open transaction's writer) and the cache of live objects.
 */
import type { RqlSchema } from "@atoll/rql";
import { errors } from "../errors.js";
import type { ObjectRow } from "../schema/ClassInfo.js";
import { ChangeNotifier } from "../listeners/ChangeNotifier.js";
import { CONTEXT, ROW } from "../objects/symbols.js";
import type { LiveObject } from "../objects/symbols.js";
import { toRqlSchema } from "../query/query.js";
import type { CommitChanges } from "../transaction/changes.js";
import { currentTransaction } from "../transaction/openTransaction.js";
import { ObjectWriter } from "../transaction/ObjectWriter.js";
import type { WriteTransaction } from "../transaction/WriteTransaction.js";
import type { Database } from "./Database.js";
import { releaseDatabase } from "./openDatabase.js";
import type { RealmContext } from "./RealmContext.js";
import type { SubscriptionSet } from "../sync/SubscriptionSet.js";

/** What the context needs to know of its Realm. */
export interface RealmHandle {
  readonly isClosed: boolean;
  readonly isReadOnly: boolean;
  /** The key under which the database is shared in this process. */
  readonly registryKey: string;
  readonly subscriptions: SubscriptionSet;
}

export class Context implements RealmContext {
  readonly notifier: ChangeNotifier;
  private cachedWriter: { txn: WriteTransaction; writer: ObjectWriter } | undefined;
  private rql: RqlSchema | undefined;

  constructor(
    readonly realm: RealmHandle,
    readonly db: Database,
    /** False for the realms a migration hands out: they do not own the database. */
    private readonly ownsDatabase: boolean,
  ) {
    this.notifier = new ChangeNotifier(realm);
    if (ownsDatabase) db.contexts.add(this);
  }

  get isClosed(): boolean {
    return this.realm.isClosed;
  }

  get subscriptions(): SubscriptionSet {
    return this.realm.subscriptions;
  }

  get rqlSchema(): RqlSchema {
    return (this.rql ??= toRqlSchema(this.db.classes.values()));
  }

  checkOpen(): void {
    if (this.realm.isClosed) throw errors.closed();
  }

  writer(): ObjectWriter {
    this.checkOpen();
    if (this.realm.isReadOnly) throw errors.readOnly();
    const txn = currentTransaction(this.db);
    if (!txn) throw errors.notInTransaction();
    if (this.cachedWriter?.txn !== txn)
      this.cachedWriter = { txn, writer: new ObjectWriter(this.db, txn) };
    return this.cachedWriter.writer;
  }

  objectFor(row: ObjectRow): LiveObject {
    const cached = row.accessor as LiveObject | undefined;
    if (cached && cached[CONTEXT] === this) return cached;
    const object = Object.create(row.cls.proto) as LiveObject;
    object[ROW] = row;
    object[CONTEXT] = this;
    if (!cached) row.accessor = object;
    return object;
  }

  onCommit(changes: CommitChanges): void {
    this.notifier.onCommit(changes);
    if (changes.schema) {
      this.rql = undefined;
      this.notifier.notifySchema([...changes.schema]);
    }
  }

  close(): void {
    this.notifier.removeAll();
    this.db.contexts.delete(this);
    if (!this.ownsDatabase) return;
    releaseDatabase(this.realm.registryKey, this.db);
  }
}

/**
 * The MongoDB-style collection API that functions, the HTTP data-access actions and the
 * server's own bookkeeping all use. Two kinds of `DataService` exist: the system one, which
 * bypasses rules and schema validation, and a per-user one from the rules engine, which
 * rewrites reads with the role's read filter and checks every write. Callers cannot tell
 * them apart except by what they are allowed to see and do.
 *
 * Values inside documents are BSON values as the `bson` package models them, with numbers
 * normalised: int32 and double are JS numbers, int64 is a JS number when it is a safe
 * integer and a `Long` otherwise; ObjectId, UUID, Decimal128, Binary and Date keep their
 * classes. Every write, whatever its source, is recorded as a change event, in order and
 * durably, before the promise resolves (sync consumes the change feed).
 *
 * Databases whose names start with `__atoll` are the server's own (users, sessions, keys,
 * logs): never exposed to clients, and not part of the change feed.
 */

export type Document = Record<string, unknown>;

export interface FindOptions {
  readonly projection?: Document;
  readonly sort?: Document;
  readonly limit?: number;
  readonly skip?: number;
}

export interface FindOneOptions {
  readonly projection?: Document;
  readonly sort?: Document;
}

export interface UpdateOptions {
  readonly upsert?: boolean;
  readonly arrayFilters?: readonly Document[];
}

export interface FindOneAndModifyOptions {
  readonly projection?: Document;
  readonly sort?: Document;
  readonly upsert?: boolean;
  /** Return the document after the change (default: before). */
  readonly returnNewDocument?: boolean;
}

export interface InsertOneResult {
  readonly insertedId: unknown;
}
export interface InsertManyResult {
  readonly insertedIds: readonly unknown[];
}
export interface UpdateResult {
  readonly matchedCount: number;
  readonly modifiedCount: number;
  readonly upsertedId?: unknown;
}
export interface DeleteResult {
  readonly deletedCount: number;
}

export type OperationType = "insert" | "update" | "replace" | "delete";

/** A change event, shaped as MongoDB change streams (and realm-web's `watch`) shape them. */
export interface ChangeEvent {
  /** Position in the app's change feed: strictly increasing in commit order (not gap-free). */
  readonly seq: number;
  readonly operationType: OperationType;
  readonly clusterTime: Date;
  readonly ns: { readonly db: string; readonly coll: string };
  readonly documentKey: { readonly _id: unknown };
  /** The document after the change (absent for deletes). */
  readonly fullDocument?: Document;
  readonly updateDescription?: {
    readonly updatedFields: Document;
    readonly removedFields: readonly string[];
  };
}

export interface ChangeStream extends AsyncIterable<ChangeEvent> {
  close(): void;
}

export interface WatchOptions {
  readonly ids?: readonly unknown[];
  /** A $match over change events, e.g. `{ "fullDocument.ownerId": "abc" }`. */
  readonly filter?: Document;
}

export interface Collection {
  readonly databaseName: string;
  readonly collectionName: string;
  find(filter?: Document, options?: FindOptions): Promise<Document[]>;
  findOne(filter?: Document, options?: FindOneOptions): Promise<Document | null>;
  count(filter?: Document, options?: { readonly limit?: number }): Promise<number>;
  aggregate(pipeline: readonly Document[]): Promise<Document[]>;
  insertOne(document: Document): Promise<InsertOneResult>;
  insertMany(documents: readonly Document[]): Promise<InsertManyResult>;
  updateOne(filter: Document, update: Document, options?: UpdateOptions): Promise<UpdateResult>;
  updateMany(filter: Document, update: Document, options?: UpdateOptions): Promise<UpdateResult>;
  deleteOne(filter: Document): Promise<DeleteResult>;
  deleteMany(filter: Document): Promise<DeleteResult>;
  findOneAndUpdate(
    filter: Document,
    update: Document,
    options?: FindOneAndModifyOptions,
  ): Promise<Document | null>;
  findOneAndReplace(
    filter: Document,
    replacement: Document,
    options?: FindOneAndModifyOptions,
  ): Promise<Document | null>;
  findOneAndDelete(filter: Document, options?: FindOneOptions): Promise<Document | null>;
  watch(options?: WatchOptions): ChangeStream;
}

export interface Database {
  collection(name: string): Collection;
}

export interface DataService {
  db(name: string): Database;
}

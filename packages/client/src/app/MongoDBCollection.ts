/**
 * `user.mongoClient(service).db(name).collection(name)` (Realm JS's MongoDB data access): each
 * method is one service action sent through `functions/call` with the data source's name as
 * `service` and one argument document `{database, collection, ...}`. The server applies the
 * collection's rules as the calling user.
 */
import { changeEvents } from "./changeEvents.js";

export type Document = Record<string, unknown>;

export interface FindOptions {
  readonly projection?: Document;
  readonly sort?: Document;
  readonly limit?: number;
}
export interface FindOneOptions {
  readonly projection?: Document;
  readonly sort?: Document;
}
export interface FindOneAndModifyOptions extends FindOneOptions {
  readonly upsert?: boolean;
  readonly returnNewDocument?: boolean;
}
export interface UpdateOptions {
  readonly upsert?: boolean;
  readonly arrayFilters?: Document[];
}
export interface UpdateResult {
  readonly matchedCount: number;
  readonly modifiedCount: number;
  readonly upsertedId?: unknown;
}

/** How a collection reaches its data source: one service action, or one streamed (`watch`). */
export interface ServiceAccess {
  call(action: string, argument: Document): Promise<unknown>;
  stream(action: string, argument: Document): Promise<AsyncIterable<Uint8Array>>;
}

/** A change to a watched collection, as the server describes it (MongoDB's change event). */
export interface ChangeEvent<T extends Document = Document> {
  readonly _id: { readonly _data: string };
  /** "insert", "update", "replace" or "delete". */
  readonly operationType: string;
  readonly ns: { readonly db: string; readonly coll: string };
  readonly documentKey: { readonly _id: unknown };
  readonly fullDocument?: T;
  readonly updateDescription?: {
    readonly updatedFields: Document;
    readonly removedFields: string[];
  };
}

export interface WatchOptions {
  /** Only changes to the documents with these `_id`s. */
  readonly ids?: unknown[];
  /** Only change events matching this filter (on the event: `fullDocument.make`, `operationType`, …). */
  readonly filter?: Document;
}

function defined(options: Document): Document {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

export class MongoDBCollection<T extends Document = Document> {
  constructor(
    private readonly service: ServiceAccess,
    readonly serviceName: string,
    readonly databaseName: string,
    readonly name: string,
  ) {}

  find(filter: Document = {}, options: FindOptions = {}): Promise<T[]> {
    return this.run("find", {
      query: filter,
      project: options.projection,
      sort: options.sort,
      limit: options.limit,
    }) as Promise<T[]>;
  }

  findOne(filter: Document = {}, options: FindOneOptions = {}): Promise<T | null> {
    return this.run("findOne", {
      query: filter,
      project: options.projection,
      sort: options.sort,
    }) as Promise<T | null>;
  }

  findOneAndUpdate(
    filter: Document,
    update: Document,
    options: FindOneAndModifyOptions = {},
  ): Promise<T | null> {
    return this.run("findOneAndUpdate", { filter, update, ...options }) as Promise<T | null>;
  }

  findOneAndReplace(
    filter: Document,
    replacement: Document,
    options: FindOneAndModifyOptions = {},
  ): Promise<T | null> {
    return this.run("findOneAndReplace", {
      filter,
      update: replacement,
      ...options,
    }) as Promise<T | null>;
  }

  findOneAndDelete(filter: Document = {}, options: FindOneOptions = {}): Promise<T | null> {
    return this.run("findOneAndDelete", { filter, ...options }) as Promise<T | null>;
  }

  aggregate(pipeline: Document[]): Promise<unknown[]> {
    return this.run("aggregate", { pipeline }) as Promise<unknown[]>;
  }

  async count(filter: Document = {}, options: { limit?: number } = {}): Promise<number> {
    return Number(await this.run("count", { query: filter, limit: options.limit }));
  }

  insertOne(document: T): Promise<{ insertedId: unknown }> {
    return this.run("insertOne", { document }) as Promise<{ insertedId: unknown }>;
  }

  insertMany(documents: T[]): Promise<{ insertedIds: unknown[] }> {
    return this.run("insertMany", { documents }) as Promise<{ insertedIds: unknown[] }>;
  }

  deleteOne(filter: Document = {}): Promise<{ deletedCount: number }> {
    return this.run("deleteOne", { query: filter }) as Promise<{ deletedCount: number }>;
  }

  deleteMany(filter: Document = {}): Promise<{ deletedCount: number }> {
    return this.run("deleteMany", { query: filter }) as Promise<{ deletedCount: number }>;
  }

  updateOne(
    filter: Document,
    update: Document,
    options: UpdateOptions = {},
  ): Promise<UpdateResult> {
    return this.run("updateOne", { query: filter, update, ...options }) as Promise<UpdateResult>;
  }

  updateMany(
    filter: Document,
    update: Document,
    options: UpdateOptions = {},
  ): Promise<UpdateResult> {
    return this.run("updateMany", { query: filter, update, ...options }) as Promise<UpdateResult>;
  }

  /**
   * The collection's changes as they happen, under the collection's read rules: an async
   * generator to iterate with `for await`; leaving the loop ends the stream. The request is
   * made on the first `next()`; a refused one (or a stream that fails) throws an `AppError`.
   */
  async *watch(options: WatchOptions = {}): AsyncGenerator<ChangeEvent<T>> {
    const bytes = await this.service.stream("watch", this.argument({ ...options }));
    yield* changeEvents<ChangeEvent<T>>(bytes);
  }

  private run(action: string, argument: Document): Promise<unknown> {
    return this.service.call(action, this.argument(argument));
  }

  private argument(options: Document): Document {
    return { database: this.databaseName, collection: this.name, ...defined(options) };
  }
}

/** `user.mongoClient(serviceName)`: the data source's databases. */
export class MongoDB {
  constructor(
    private readonly service: ServiceAccess,
    readonly serviceName: string,
  ) {}

  db(databaseName: string): {
    readonly name: string;
    collection<T extends Document = Document>(name: string): MongoDBCollection<T>;
  } {
    return {
      name: databaseName,
      collection: <T extends Document = Document>(name: string) =>
        new MongoDBCollection<T>(this.service, this.serviceName, databaseName, name),
    };
  }
}

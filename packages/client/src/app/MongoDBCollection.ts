/**
 * `user.mongoClient(service).db(name).collection(name)` (Realm JS's MongoDB data access): each
 * method is one service action sent through `functions/call` with the data source's name as
 * `service` and one argument document `{database, collection, ...}`. The server applies the
 * collection's rules as the calling user.
 */
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

/** Calls one service action (the user's `functions/call` with `service`). */
export type ServiceCall = (action: string, argument: Document) => Promise<unknown>;

function defined(options: Document): Document {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

export class MongoDBCollection<T extends Document = Document> {
  constructor(
    private readonly call: ServiceCall,
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

  private run(action: string, argument: Document): Promise<unknown> {
    return this.call(action, {
      database: this.databaseName,
      collection: this.name,
      ...defined(argument),
    });
  }
}

/** `user.mongoClient(serviceName)`: the data source's databases. */
export class MongoDB {
  constructor(
    private readonly call: ServiceCall,
    readonly serviceName: string,
  ) {}

  db(databaseName: string): {
    readonly name: string;
    collection<T extends Document = Document>(name: string): MongoDBCollection<T>;
  } {
    return {
      name: databaseName,
      collection: <T extends Document = Document>(name: string) =>
        new MongoDBCollection<T>(this.call, this.serviceName, databaseName, name),
    };
  }
}

/**
 * A small in-memory stand-in for the data layer, for testing auth and HTTP on their own:
 * MQL filters through mingo, `$set`/`$unset`/`$inc` updates, projections ignored. The real
 * data layer is tested in its own folder; end-to-end tests use it through AtollServer.
 */
import { Query } from "mingo";
import { ObjectId } from "bson";
import type {
  ChangeEvent,
  ChangeStream,
  Collection,
  DataService,
  Document,
} from "../../data/types.js";

function applyUpdate(doc: Document, update: Document): Document {
  const next: Document = { ...doc };
  for (const [operator, fields] of Object.entries(update)) {
    for (const [field, value] of Object.entries(fields as Document)) {
      if (operator === "$set") next[field] = value;
      else if (operator === "$unset") delete next[field];
      else if (operator === "$inc")
        next[field] = (typeof next[field] === "number" ? next[field] : 0) + (value as number);
      else throw new Error(`unsupported update operator ${operator}`);
    }
  }
  return next;
}

class MemoryCollection implements Collection {
  private readonly listeners = new Set<(event: ChangeEvent) => void>();

  constructor(
    readonly databaseName: string,
    readonly collectionName: string,
    private readonly docs: Document[],
    private readonly nextSeq: () => number,
  ) {}

  private matching(filter: Document = {}): Document[] {
    const query = new Query(filter);
    return this.docs.filter((doc) => query.test(doc));
  }

  private emit(event: Omit<ChangeEvent, "seq" | "clusterTime" | "ns">): void {
    const full: ChangeEvent = {
      ...event,
      seq: this.nextSeq(),
      clusterTime: new Date(),
      ns: { db: this.databaseName, coll: this.collectionName },
    };
    for (const listener of this.listeners) listener(full);
  }

  async find(filter?: Document, options?: { limit?: number }) {
    const found = this.matching(filter).map((doc) => ({ ...doc }));
    return options?.limit === undefined || options.limit === 0
      ? found
      : found.slice(0, options.limit);
  }
  async findOne(filter?: Document) {
    const [doc] = this.matching(filter);
    return doc === undefined ? null : { ...doc };
  }
  async count(filter?: Document) {
    return this.matching(filter).length;
  }
  async aggregate(): Promise<Document[]> {
    throw new Error("aggregate is not part of the stand-in");
  }
  async insertOne(document: Document) {
    const doc = { _id: document._id ?? new ObjectId(), ...document };
    if (this.matching({ _id: doc._id }).length > 0) throw new Error("duplicate key");
    this.docs.push(doc);
    this.emit({ operationType: "insert", documentKey: { _id: doc._id }, fullDocument: { ...doc } });
    return { insertedId: doc._id };
  }
  async insertMany(documents: readonly Document[]) {
    const insertedIds: unknown[] = [];
    for (const document of documents) insertedIds.push((await this.insertOne(document)).insertedId);
    return { insertedIds };
  }
  private async update(
    filter: Document,
    update: Document,
    upsert: boolean | undefined,
    many: boolean,
  ) {
    const targets = many ? this.matching(filter) : this.matching(filter).slice(0, 1);
    for (const target of targets) {
      const index = this.docs.indexOf(target);
      this.docs[index] = applyUpdate(target, update);
    }
    if (targets.length === 0 && upsert === true) {
      const { insertedId } = await this.insertOne(applyUpdate({ ...filter }, update));
      return { matchedCount: 0, modifiedCount: 0, upsertedId: insertedId };
    }
    return { matchedCount: targets.length, modifiedCount: targets.length };
  }
  updateOne(filter: Document, update: Document, options?: { upsert?: boolean }) {
    return this.update(filter, update, options?.upsert, false);
  }
  updateMany(filter: Document, update: Document, options?: { upsert?: boolean }) {
    return this.update(filter, update, options?.upsert, true);
  }
  private async remove(filter: Document, many: boolean) {
    const targets = many ? this.matching(filter) : this.matching(filter).slice(0, 1);
    for (const target of targets) this.docs.splice(this.docs.indexOf(target), 1);
    return { deletedCount: targets.length };
  }
  deleteOne(filter: Document) {
    return this.remove(filter, false);
  }
  deleteMany(filter: Document) {
    return this.remove(filter, true);
  }
  async findOneAndUpdate(filter: Document, update: Document) {
    const before = await this.findOne(filter);
    await this.updateOne(filter, update);
    return before;
  }
  async findOneAndReplace(): Promise<Document | null> {
    throw new Error("findOneAndReplace is not part of the stand-in");
  }
  async findOneAndDelete(filter: Document) {
    const before = await this.findOne(filter);
    await this.deleteOne(filter);
    return before;
  }
  watch(): ChangeStream {
    const queue: ChangeEvent[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    const listener = (event: ChangeEvent) => {
      queue.push(event);
      wake?.();
    };
    this.listeners.add(listener);
    const close = () => {
      closed = true;
      this.listeners.delete(listener);
      wake?.();
    };
    return {
      close,
      async *[Symbol.asyncIterator]() {
        while (!closed) {
          const next = queue.shift();
          if (next !== undefined) yield next;
          else await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    };
  }
}

export class MemoryDataService implements DataService {
  private readonly collections = new Map<string, MemoryCollection>();
  private seq = 0;

  db(name: string) {
    return {
      collection: (collection: string): Collection => {
        const key = `${name}.${collection}`;
        let found = this.collections.get(key);
        if (found === undefined) {
          found = new MemoryCollection(name, collection, [], () => ++this.seq);
          this.collections.set(key, found);
        }
        return found;
      },
    };
  }
}

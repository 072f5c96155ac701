/**
 * A `Collection` over the storage engine, governed by an `AccessPolicy` (rules for users,
 * open for the system) and, for users, the collection's schema. Reads scan, filter with
 * mingo, then reveal what the caller may see; writes read, compute, check, and commit with
 * the versions they read, retrying when a concurrent writer got there first.
 */
import { AppError } from "@atoll/protocol";
import type { CollectionSchema } from "../config/types.js";
import type {
  Namespace,
  StorageEngine,
  StoredDocument,
  WriteOp,
} from "../storage/StorageEngine.js";
import type { AccessPolicy, ReadPlan } from "./AccessPolicy.js";
import { checkPipeline } from "./aggregatePipeline.js";
import {
  checkClientFilter,
  checkClientPipeline,
  checkClientProjection,
  checkClientSort,
  checkClientUpdate,
  isComputedProjection,
} from "./clientQueryPolicy.js";
import type { EvaluationPool } from "./EvaluationPool.js";
import type { QueryLimits } from "./queryLimits.js";
import {
  checkStorable,
  documentArgument,
  isDocument,
  documentsArgument,
  optionsArgument,
} from "./checkArguments.js";
import { commitWrites, retryOnConflict, updateOp, withId } from "./commitWrites.js";
import { openChangeStream } from "./changeStream.js";
import { compileFilter, runStages, shapeResults, type CursorOptions } from "./mql.js";
import { idsFromFilter, withReadFilter } from "./filters.js";
import {
  applyReplacement,
  applyUpdate,
  checkReplacement,
  checkUpdateDocument,
  upsertSeed,
  type UpdateOutcome,
} from "./updateDocument.js";
import { validateSchema } from "./validateSchema.js";
import type * as T from "./types.js";

export interface CollectionGovernance {
  readonly policy: AccessPolicy;
  /** Validated on user-context writes only. */
  readonly schema?: CollectionSchema | undefined;
  readonly systemContext: boolean;
  /**
   * For user context: the bounds its queries are checked against and the workers that
   * evaluate its pipelines and computed projections.
   */
  readonly evaluation?: { readonly limits: QueryLimits; readonly pool: EvaluationPool } | undefined;
}

type Modify = (before: T.Document, inserting: boolean) => UpdateOutcome;

export class StorageCollection implements T.Collection {
  readonly #ns: Namespace;

  constructor(
    private readonly storage: StorageEngine,
    readonly databaseName: string,
    readonly collectionName: string,
    private readonly governance: CollectionGovernance,
  ) {
    this.#ns = { db: databaseName, coll: collectionName };
  }

  async find(filterArg?: T.Document, optionsArg?: T.FindOptions): Promise<T.Document[]> {
    const filter = documentArgument(filterArg, "filter", {});
    const options = optionsArgument<T.FindOptions>(optionsArg);
    this.#checkCursor(options);
    const plan = await this.governance.policy.planRead();
    const revealed = await this.#reveal(plan, await this.#matching(filter, plan));
    return this.#shape(revealed, {
      ...options,
      projection: mergeProjection(options.projection, plan.projection),
    });
  }

  async findOne(filter?: T.Document, options?: T.FindOneOptions): Promise<T.Document | null> {
    return (
      (await this.find(filter, { ...optionsArgument<T.FindOneOptions>(options), limit: 1 }))[0] ??
      null
    );
  }

  async count(filterArg?: T.Document, optionsArg?: { readonly limit?: number }): Promise<number> {
    const filter = documentArgument(filterArg, "filter", {});
    const options = optionsArgument<{ readonly limit?: number }>(optionsArg);
    const plan = await this.governance.policy.planRead();
    const revealed = await this.#reveal(plan, await this.#matching(filter, plan));
    return options.limit !== undefined && options.limit > 0
      ? Math.min(options.limit, revealed.length)
      : revealed.length;
  }

  async aggregate(pipeline: readonly T.Document[]): Promise<T.Document[]> {
    const lookups = checkPipeline(pipeline, this.governance.systemContext);
    const evaluation = this.governance.evaluation;
    if (evaluation !== undefined) checkClientPipeline(pipeline, evaluation.limits);
    const plan = await this.governance.policy.planRead();
    const source = await this.#reveal(plan, await this.#matching({}, plan));
    if (evaluation !== undefined) {
      // Leading $match stages are plain filters (the allow-list keeps expressions out of
      // them): applied here, in linear time, so only the documents they keep are sent to the
      // worker. They see revealed documents, as inside the pipeline.
      const leading = pipeline.findIndex((stage) => !isDocument(stage.$match));
      const matches = pipeline.slice(0, leading < 0 ? pipeline.length : leading);
      const tests = matches.map((stage) =>
        compileFilter(stage.$match as T.Document, evaluation.limits),
      );
      const rest = pipeline.slice(matches.length);
      const kept = source.filter((doc) => tests.every((test) => test(doc)));
      return rest.length === 0 ? kept : evaluation.pool.run(kept, rest);
    }
    const foreign = new Map<string, T.Document[]>();
    for (const name of lookups) {
      const stored = await this.storage.scan({ db: this.databaseName, coll: name });
      foreign.set(
        name,
        stored.map((s) => s.doc),
      );
    }
    return runStages(source, pipeline, (name) => foreign.get(name) ?? []);
  }

  async insertOne(document: T.Document): Promise<T.InsertOneResult> {
    const [insertedId] = (await this.insertMany([documentArgument(document, "document")]))
      .insertedIds;
    return { insertedId };
  }

  async insertMany(documents: readonly T.Document[]): Promise<T.InsertManyResult> {
    const prepared = documentsArgument(documents, "documents").map(withId);
    for (const doc of prepared) await this.#checkInsert(doc);
    await commitWrites(
      this.storage,
      this.#ns,
      prepared.map((doc) => ({ kind: "insert", ns: this.#ns, doc })),
    );
    return { insertedIds: prepared.map((doc) => doc._id) };
  }

  async updateOne(
    filterArg: T.Document,
    update: T.Document,
    optionsArg?: T.UpdateOptions,
  ): Promise<T.UpdateResult> {
    const filter = documentArgument(filterArg, "filter");
    const options = optionsArgument<T.UpdateOptions>(optionsArg);
    this.#checkUpdateDocument(update, options.arrayFilters);
    return this.#update(
      filter,
      (before, inserting) => applyUpdate(before, update, { ...options, inserting }),
      options,
      1,
    );
  }

  async updateMany(
    filterArg: T.Document,
    update: T.Document,
    optionsArg?: T.UpdateOptions,
  ): Promise<T.UpdateResult> {
    const filter = documentArgument(filterArg, "filter");
    const options = optionsArgument<T.UpdateOptions>(optionsArg);
    this.#checkUpdateDocument(update, options.arrayFilters);
    return this.#update(
      filter,
      (before, inserting) => applyUpdate(before, update, { ...options, inserting }),
      options,
    );
  }

  async deleteOne(filter: T.Document): Promise<T.DeleteResult> {
    return {
      deletedCount: (await this.#delete(documentArgument(filter, "filter"), undefined, 1)).length,
    };
  }

  async deleteMany(filter: T.Document): Promise<T.DeleteResult> {
    return { deletedCount: (await this.#delete(documentArgument(filter, "filter"))).length };
  }

  async findOneAndUpdate(
    filter: T.Document,
    update: T.Document,
    options?: T.FindOneAndModifyOptions,
  ): Promise<T.Document | null> {
    this.#checkUpdateDocument(update);
    const modify: Modify = (before, inserting) => applyUpdate(before, update, { inserting });
    return this.#findOneAndModify(
      documentArgument(filter, "filter"),
      modify,
      optionsArgument(options),
    );
  }

  async findOneAndReplace(
    filter: T.Document,
    replacement: T.Document,
    options?: T.FindOneAndModifyOptions,
  ): Promise<T.Document | null> {
    checkReplacement(documentArgument(replacement, "replacement"));
    const modify: Modify = (before) => applyReplacement(before, replacement);
    return this.#findOneAndModify(
      documentArgument(filter, "filter"),
      modify,
      optionsArgument(options),
      "replace",
    );
  }

  async findOneAndDelete(
    filterArg: T.Document,
    optionsArg?: T.FindOneOptions,
  ): Promise<T.Document | null> {
    const filter = documentArgument(filterArg, "filter", {});
    const options = optionsArgument<T.FindOneOptions>(optionsArg);
    this.#checkCursor(options);
    const [deleted] = await this.#delete(filter, options.sort, 1);
    if (deleted === undefined) return null;
    const plan = await this.governance.policy.planRead();
    return this.#present(plan, deleted, options.projection);
  }

  watch(optionsArg?: T.WatchOptions): T.ChangeStream {
    const options = optionsArgument<T.WatchOptions>(optionsArg);
    if (options.filter !== undefined) documentArgument(options.filter, "options.filter");
    if (options.filter !== undefined && this.governance.evaluation !== undefined) {
      checkClientFilter(options.filter, this.governance.evaluation.limits);
    }
    if (options.ids !== undefined && !Array.isArray(options.ids))
      throw new AppError("MongoDBError", "options.ids must be an array");
    return openChangeStream(this.storage, this.#ns, options, () =>
      this.governance.policy.planRead(),
    );
  }

  /** Stored documents that match the caller's filter and the read plan, in natural order. */
  async #matching(
    filter: T.Document,
    plan: ReadPlan,
    sort?: T.Document,
  ): Promise<StoredDocument[]> {
    if (this.governance.evaluation !== undefined)
      checkClientFilter(filter, this.governance.evaluation.limits);
    const combined = withReadFilter(filter, plan.filter);
    const test = compileFilter(combined, this.governance.evaluation?.limits);
    const ids = idsFromFilter(combined);
    // A page at a time: only the documents that match are held, never the whole collection.
    // Nothing is awaited while the stream is open (it may hold a database connection that a
    // rule's function would need): the read plan is asked once the stream has ended.
    const candidates: StoredDocument[] = [];
    for await (const page of this.storage.scanStream(this.#ns, {
      filter: combined,
      ...(ids === undefined ? {} : { ids }),
    }))
      for (const entry of page) if (test(entry.doc)) candidates.push(entry);
    const open = this.governance.systemContext;
    const matched: StoredDocument[] = [];
    for (const entry of candidates)
      if (open || (await plan.visible(entry.doc))) matched.push(entry);
    if (sort === undefined || Object.keys(sort).length === 0) return matched;
    const order = shapeResults(
      matched.map((entry, index) => ({ ...entry.doc, "\u0000index": index })),
      { sort },
    );
    return order.map((doc) => matched[doc["\u0000index"] as number]!);
  }

  async #reveal(plan: ReadPlan, stored: readonly StoredDocument[]): Promise<T.Document[]> {
    if (this.governance.systemContext) return stored.map((entry) => entry.doc);
    const out: T.Document[] = [];
    for (const entry of stored) {
      const doc = await plan.reveal(entry.doc);
      if (doc !== null) out.push(doc);
    }
    return out;
  }

  async #present(
    plan: ReadPlan,
    doc: T.Document,
    projection: T.Document | undefined,
  ): Promise<T.Document | null> {
    const revealed = this.governance.systemContext ? doc : await plan.reveal(doc);
    if (revealed === null) return null;
    return (
      (
        await this.#shape([revealed], { projection: mergeProjection(projection, plan.projection) })
      )[0] ?? null
    );
  }

  /**
   * Sorts, skips, limits and projects; for user context a projection that computes values is
   * evaluated in a worker, everything else in process.
   */
  async #shape(docs: readonly T.Document[], options: CursorOptions): Promise<T.Document[]> {
    const evaluation = this.governance.evaluation;
    if (evaluation === undefined || !isComputedProjection(options.projection))
      return shapeResults(docs, options);
    const { projection, ...cursor } = options;
    return evaluation.pool.run(shapeResults(docs, cursor), [{ $project: projection }]);
  }

  /** For user context, the sort and projection a read was given must pass the allow-list. */
  #checkCursor(options: {
    readonly sort?: T.Document | undefined;
    readonly projection?: T.Document | undefined;
  }): void {
    const limits = this.governance.evaluation?.limits;
    if (limits === undefined) return;
    if (options.sort !== undefined) checkClientSort(options.sort, limits);
    if (options.projection !== undefined) checkClientProjection(options.projection, limits);
  }

  #checkUpdateDocument(update: unknown, arrayFilters?: readonly T.Document[]): void {
    checkUpdateDocument(documentArgument(update, "update"));
    const limits = this.governance.evaluation?.limits;
    if (limits !== undefined) checkClientUpdate(update, limits, arrayFilters);
  }

  async #update(
    filter: T.Document,
    modify: Modify,
    options: T.UpdateOptions,
    limit?: number,
  ): Promise<T.UpdateResult> {
    return retryOnConflict(async () => {
      const plan = await this.governance.policy.planRead();
      const matched = (await this.#matching(filter, plan)).slice(0, limit);
      if (matched.length === 0 && options.upsert === true) {
        const doc = await this.#upsert(filter, modify);
        return { matchedCount: 0, modifiedCount: 0, upsertedId: doc._id };
      }
      const ops: WriteOp[] = [];
      for (const entry of matched) {
        const outcome = modify(entry.doc, false);
        if (!outcome.modified) continue;
        await this.#checkUpdate(entry.doc, outcome.doc);
        ops.push(updateOp(this.#ns, entry, outcome, "update"));
      }
      await commitWrites(this.storage, this.#ns, ops);
      return { matchedCount: matched.length, modifiedCount: ops.length };
    });
  }

  async #findOneAndModify(
    filter: T.Document,
    modify: Modify,
    options: T.FindOneAndModifyOptions,
    kind: "update" | "replace" = "update",
  ): Promise<T.Document | null> {
    this.#checkCursor(options);
    return retryOnConflict(async () => {
      const plan = await this.governance.policy.planRead();
      const [entry] = await this.#matching(filter, plan, options.sort);
      if (entry === undefined) {
        if (options.upsert !== true) return null;
        const doc = await this.#upsert(filter, modify);
        return options.returnNewDocument === true
          ? this.#present(plan, doc, options.projection)
          : null;
      }
      const outcome = modify(entry.doc, false);
      if (outcome.modified) {
        await this.#checkUpdate(entry.doc, outcome.doc);
        await commitWrites(this.storage, this.#ns, [updateOp(this.#ns, entry, outcome, kind)]);
      }
      return this.#present(
        plan,
        options.returnNewDocument === true ? outcome.doc : entry.doc,
        options.projection,
      );
    });
  }

  async #upsert(filter: T.Document, modify: Modify): Promise<T.Document> {
    const doc = withId(modify(upsertSeed(filter), true).doc);
    await this.#checkInsert(doc);
    await commitWrites(this.storage, this.#ns, [{ kind: "insert", ns: this.#ns, doc }]);
    return doc;
  }

  async #delete(filter: T.Document, sort?: T.Document, limit?: number): Promise<T.Document[]> {
    return retryOnConflict(async () => {
      const plan = await this.governance.policy.planRead();
      const matched = (await this.#matching(filter, plan, sort)).slice(0, limit);
      for (const entry of matched) await this.governance.policy.checkDelete(entry.doc);
      await commitWrites(
        this.storage,
        this.#ns,
        matched.map((entry) => ({
          kind: "delete",
          ns: this.#ns,
          id: entry.doc._id,
          expectedVersion: entry.version,
        })),
      );
      return matched.map((entry) => entry.doc);
    });
  }

  async #checkInsert(doc: T.Document): Promise<void> {
    checkStorable(doc);
    await this.governance.policy.checkInsert(doc);
    if (!this.governance.systemContext && this.governance.schema !== undefined)
      validateSchema(this.governance.schema, doc);
  }

  async #checkUpdate(before: T.Document, after: T.Document): Promise<void> {
    checkStorable(after);
    await this.governance.policy.checkUpdate(before, after);
    if (!this.governance.systemContext && this.governance.schema !== undefined)
      validateSchema(this.governance.schema, after);
  }
}

function mergeProjection(
  requested: T.Document | undefined,
  imposed: T.Document | undefined,
): T.Document | undefined {
  if (imposed === undefined) return requested;
  return { ...requested, ...imposed };
}

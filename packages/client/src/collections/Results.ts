/**
 * `Realm.Results`: a live, lazily evaluated view of objects — all objects of a type, the objects
 * of a list, or backlinks — narrowed by queries and orderings. Evaluation is cached until the
 * realm changes.
 */
import { describeQuery } from "@atoll/rql";
import type { BoundQuery } from "@atoll/rql";
import type { RealmContext } from "../core/RealmContext.js";
import { ClientErrorCode, RealmError } from "../errors.js";
import type { ClassInfo, ObjectRow } from "../schema/ClassInfo.js";
import { rowOf } from "../objects/symbols.js";
import { bind, runQuery } from "../query/query.js";
import { indexCandidates } from "../query/indexes.js";
import { OrderedCollection } from "./OrderedCollection.js";
import { sortDescriptors, sortItems } from "./sorting.js";
import { subscribeQuery, unsubscribeQuery } from "../sync/subscribeResults.js";
import type { SubscriptionOptions } from "../sync/SubscriptionSet.js";
import type { SortDescriptor } from "./sorting.js";

export type QueryStep =
  | { kind: "filter"; query: string; args: unknown[] }
  | { kind: "sort"; descriptor: unknown; reverse: boolean | undefined };

type BoundStep =
  { kind: "filter"; bound: BoundQuery } | { kind: "sort"; descriptors: SortDescriptor[] };

export class Results<T = unknown> extends OrderedCollection<T> {
  readonly uniqueIds = true;
  readonly optional = false;
  private cache: { version: number; objects: T[] } | undefined;
  private readonly steps: BoundStep[];
  readonly identity: unknown;

  constructor(
    context: RealmContext,
    private readonly cls: ClassInfo,
    /** The rows before any query: all of a type, a list's objects, backlinks. */
    private readonly source: () => ObjectRow[],
    steps: readonly BoundStep[] = [],
    private readonly frozen?: ObjectRow[],
    /** True when `source` is every object of the class, so its indexes may answer a query. */
    private readonly wholeClass = false,
  ) {
    super(context);
    this.steps = [...steps];
    this.identity = this;
  }

  get type(): string {
    return "object";
  }

  protected objectClass(): ClassInfo {
    return this.cls;
  }

  protected objectRows(): ObjectRow[] {
    return this.items().map((item) => rowOf(item) as ObjectRow);
  }

  isValid(): boolean {
    return !this.context.isClosed;
  }

  protected items(): T[] {
    this.context.checkOpen();
    if (this.frozen) return this.frozen.map((row) => this.context.objectFor(row) as unknown as T);
    const version = this.context.db.version;
    if (this.cache?.version === version) return this.cache.objects;
    const first = this.steps[0];
    const candidates =
      this.wholeClass && first?.kind === "filter"
        ? indexCandidates(this.cls, first.bound.predicate)
        : undefined;
    let objects = (candidates ?? this.source()).map(
      (row) => this.context.objectFor(row) as unknown as T,
    );
    for (const step of this.steps) {
      objects =
        step.kind === "filter"
          ? (runQuery(this.context, step.bound, objects as object[]) as T[])
          : sortItems(objects, step.descriptors);
    }
    this.cache = { version, objects };
    return objects;
  }

  override get(index: number): T {
    return this.items()[index] as T;
  }

  snapshotIds(): unknown[] {
    return this.items().map((item) => rowOf(item) as ObjectRow);
  }

  /** Results of these objects matching an RQL query (the parser's message on a bad query). */
  filtered(query: string, ...args: unknown[]): Results<T> {
    return this.derive({ kind: "filter", query, args });
  }

  /** Sorted by a key path (`sorted("age", true)`) or descriptors (`sorted([["age", true], "name"])`). */
  sorted(descriptor?: unknown, reverse?: boolean): Results<T> {
    return this.derive({ kind: "sort", descriptor, reverse });
  }

  private derive(step: QueryStep): Results<T> {
    if (step.kind === "filter") {
      const bound = bind(this.context, this.cls, step.query, step.args);
      return new Results<T>(
        this.context,
        this.cls,
        this.source,
        [...this.steps, { kind: "filter", bound }],
        undefined,
        this.wholeClass,
      );
    }
    let descriptors: SortDescriptor[];
    try {
      descriptors = sortDescriptors(step.descriptor, step.reverse);
    } catch (error) {
      throw new RealmError(ClientErrorCode.InvalidQuery, (error as Error).message);
    }
    for (const [path] of descriptors) this.checkSortPath(path);
    return new Results<T>(
      this.context,
      this.cls,
      this.source,
      [...this.steps, { kind: "sort", descriptors }],
      undefined,
      this.wholeClass,
    );
  }

  private checkSortPath(path: string): void {
    let cls: ClassInfo | undefined = this.cls;
    const parts = path.split(".");
    parts.forEach((part, i) => {
      const prop = cls?.byName.get(part);
      if (!prop || prop.collection || prop.element === "linkingObjects") {
        throw new RealmError(
          ClientErrorCode.InvalidQuery,
          `Cannot sort on key path '${path}': property '${cls?.name ?? "?"}.${part}' does not exist or is not a single value`,
        );
      }
      cls = i < parts.length - 1 ? prop.target : undefined;
    });
  }

  /** A frozen copy of the current contents (objects deleted later stay in it, invalid). */
  snapshot(): Results<T> {
    return new Results<T>(this.context, this.cls, this.source, [], [...this.objectRows()]);
  }

  /** The name of the object type these results hold. */
  get objectType(): string {
    return this.cls.name;
  }

  /** The query as RQL text with its arguments inlined (what a sync subscription sends). */
  description(): string {
    const filters = this.steps.flatMap((step) =>
      step.kind === "filter" ? [describeQuery(step.bound)] : [],
    );
    if (filters.length === 0) return "TRUEPREDICATE";
    return filters.length === 1 ? filters[0]! : filters.map((text) => `(${text})`).join(" AND ");
  }

  /**
   * Subscribes to this query (flexible sync) and resolves with these Results: at once, or once
   * the data is in the realm, as `options.behavior` says (without options `WaitForSync.FirstTime`:
   * only when the query had no subscription yet), but no later than `options.timeout` ms.
   */
  async subscribe(options?: SubscriptionOptions): Promise<this> {
    await subscribeQuery(this.context.subscriptions, this, options);
    // Methods run on the collection behind the index-access proxy; callers hold the proxy.
    return this.publicHandle;
  }

  /** Removes the subscriptions on this query, without waiting for the server. */
  unsubscribe(): void {
    unsubscribeQuery(this.context.subscriptions, this);
  }
}

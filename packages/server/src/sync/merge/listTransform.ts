/**
 * Operational transformation of list positions. An upload's list instructions name indices
 * in the list as its writer saw it; changes integrated concurrently (after the writer's base
 * version, by others) may have inserted, erased or moved elements since. Each incoming
 * instruction is transformed through every concurrent list change, and those changes through
 * it (so the next incoming instruction sees them relative to the list that now includes the
 * previous one). Rules: a concurrent insert at or before a position shifts it right (the
 * earlier-integrated insert stays first), a concurrent erase before it shifts it left, an
 * element erased concurrently takes element updates, erases and moves with it. A clear wins
 * over every concurrent change inside its list, inserts included, as realm-core's transform
 * decides (so native devices, which transform with it, reach the same list): an incoming
 * change inside a list cleared concurrently is dropped, and an incoming clear voids the
 * concurrent changes it clears. Of two concurrent clears of one list the later (by
 * timestamp, then file identity) wins, with the changes that follow it.
 */
import { SyncErrorCode, SyncProtocolError, type Instruction, type Path } from "@atoll/protocol";

type Kind = "insert" | "erase" | "set" | "clear";

type PathInstruction = Extract<Instruction, { readonly path: Path }>;

interface ListChange {
  readonly list: string;
  kind: Kind;
  index: number;
  dead: boolean;
  /** The change's origin: its changeset's timestamp and file identity. */
  readonly origin: Origin;
}

/** Who made a change and when: what orders two concurrent clears. */
export interface Origin {
  readonly ts: number;
  readonly ident: number;
}

/** Concurrent changes as history holds them: each changeset's instructions and origin. */
export interface ConcurrentChangeset {
  readonly originTimestamp: number;
  readonly originIdent: number;
  readonly instructions: readonly Instruction[];
}

function isLater(a: Origin, b: Origin): boolean {
  return a.ts > b.ts || (a.ts === b.ts && a.ident > b.ident);
}

function listKey(table: string, pk: unknown, listPath: Path): string {
  return JSON.stringify([table, String(pk), listPath]);
}

/** The list changes an instruction makes, as (list, kind, index) facts. */
function changesOf(instruction: Instruction, origin: Origin): ListChange[] {
  if (!("path" in instruction)) return [];
  const { path } = instruction;
  const last = path.length - 1;
  const change = (upTo: number, kind: Kind, index: number): ListChange => ({
    list: listKey(instruction.table, instruction.pk, path.slice(0, upTo)),
    kind,
    index,
    dead: false,
    origin,
  });
  const at = typeof path[last] === "number" ? path[last] : -1;
  switch (instruction.type) {
    case "ArrayInsert":
      return [change(last, "insert", at)];
    case "ArrayErase":
      return [change(last, "erase", at)];
    case "ArrayMove":
      return [change(last, "erase", at), change(last, "insert", instruction.to)];
    case "Clear":
      return instruction.collectionType === "list" ? [change(path.length, "clear", 0)] : [];
    case "Update":
      return at >= 0 ? [change(last, "set", at)] : [];
    default:
      return [];
  }
}

/**
 * Inclusion transformation of an incoming position `o` against a concurrent change `c`, both
 * expressed against the same list state. Returns o's position once c is applied (undefined
 * when the element o refers to is gone) and moves c to where it is once o is applied. At equal
 * insert positions the already-integrated change stays first.
 */
function transformPair(o: { kind: Kind; index: number }, c: ListChange): number | undefined {
  if (c.dead) return o.index;
  if (c.kind === "clear") return undefined;
  const i = o.index;
  const j = c.index;
  if (c.kind === "insert") {
    if (j <= i) return i + 1;
    if (o.kind === "insert") c.index += 1;
    else if (o.kind === "erase") c.index -= 1;
    return i;
  }
  if (c.kind === "erase") {
    if (j < i) return i - 1;
    if (j === i && o.kind !== "insert") {
      c.dead = o.kind === "erase"; // both erased the same element: the second erase is void
      return undefined;
    }
    if (o.kind === "insert") c.index += 1;
    else if (o.kind === "erase") c.index -= 1;
    return i;
  }
  // c sets element j
  if (o.kind === "insert" && j >= i) c.index += 1;
  else if (o.kind === "erase") {
    if (j > i) c.index -= 1;
    else if (j === i) c.dead = true;
  }
  return i;
}

/**
 * Whether a transformer can change `instruction` or be changed by it: it names a list
 * position, or clears a list. An upload without such instructions is integrated the same
 * whatever happened concurrently to lists, so the concurrent history need not be read.
 */
export function isListInstruction(instruction: Instruction): boolean {
  if (!("path" in instruction)) return false;
  if (instruction.type === "Clear" && instruction.collectionType === "list") return true;
  return instruction.path.some((e) => typeof e === "number");
}

export class ListTransformer {
  private readonly byList = new Map<string, ListChange[]>();
  private steps = 0;

  /**
   * `maxSteps` bounds the work: every incoming position is moved through every concurrent
   * change of its list, so an upload of many list changes based far behind many concurrent
   * ones costs their product. Beyond it the upload is refused with `limits_exceeded`.
   */
  constructor(
    concurrent: Iterable<ConcurrentChangeset>,
    /** The origin of the upload being transformed. */
    private readonly writer: Origin,
    private readonly maxSteps = Number.POSITIVE_INFINITY,
  ) {
    for (const changeset of concurrent) {
      const origin = { ts: changeset.originTimestamp, ident: changeset.originIdent };
      for (const instruction of changeset.instructions) {
        for (const change of changesOf(instruction, origin)) {
          const list = this.byList.get(change.list) ?? [];
          list.push(change);
          this.byList.set(change.list, list);
        }
      }
    }
  }

  /**
   * The instruction with every list index along its path transformed through the concurrent
   * changes (which are moved past it in turn), or undefined when the element it refers to no
   * longer exists.
   */
  transform(instruction: Instruction): Instruction | undefined {
    if (!("path" in instruction)) return instruction;
    const located = instruction.path.some((e) => typeof e === "number")
      ? this.located(instruction)
      : instruction;
    if (located === undefined || located.type !== "Clear" || located.collectionType !== "list")
      return located;
    return this.cleared(located);
  }

  /**
   * An incoming clear of a list: dropped when a later concurrent clear of that list wins,
   * else it voids every concurrent change of the list (the clear removes what they made).
   */
  private cleared(clear: PathInstruction): Instruction | undefined {
    const changes = this.byList.get(listKey(clear.table, clear.pk, clear.path)) ?? [];
    this.count(changes.length);
    const won = changes.some(
      (c) => !c.dead && c.kind === "clear" && isLater(c.origin, this.writer),
    );
    if (won) return undefined;
    for (const change of changes) change.dead = true;
    return clear;
  }

  /** The instruction with every list index along its path moved through the concurrent changes. */
  private located(instruction: PathInstruction): Instruction | undefined {
    const path = [...instruction.path];
    const last = path.length - 1;
    const kind: Kind =
      instruction.type === "ArrayInsert"
        ? "insert"
        : instruction.type === "ArrayErase" || instruction.type === "ArrayMove"
          ? "erase"
          : "set";
    for (let i = 0; i < path.length; i++) {
      if (typeof path[i] !== "number") continue;
      const index = this.through(
        { kind: i === last ? kind : "set", index: path[i] as number },
        listKey(instruction.table, instruction.pk, path.slice(0, i)),
      );
      if (index === undefined) return undefined;
      path[i] = index;
    }
    if (instruction.type !== "ArrayMove") return { ...instruction, path };
    const to = this.through(
      { kind: "insert", index: instruction.to },
      listKey(instruction.table, instruction.pk, path.slice(0, -1)),
    );
    return { ...instruction, path, to: to ?? instruction.to };
  }

  /** Counts the steps of moving past `changes` concurrent changes of one list. */
  private count(changes: number): void {
    this.steps += changes;
    if (this.steps > this.maxSteps)
      throw new SyncProtocolError(
        SyncErrorCode.LimitsExceeded,
        `Merging the changeset's list changes with the ${changes} made concurrently to one list takes more than the ${this.maxSteps} steps allowed`,
      );
  }

  /** Transforms one position through every live concurrent change on `list`, in order. */
  private through(o: { kind: Kind; index: number }, list: string): number | undefined {
    let index: number | undefined = o.index;
    const changes = this.byList.get(list) ?? [];
    this.count(changes.length);
    for (const c of changes) {
      index = transformPair({ kind: o.kind, index }, c);
      if (index === undefined) return undefined;
    }
    return index;
  }
}

/**
 * Operational transformation of list positions. An upload's list instructions name indices
 * in the list as its writer saw it; changes integrated concurrently (after the writer's base
 * version, by others) may have inserted, erased or moved elements since. Each incoming
 * instruction is transformed through every concurrent list change, and those changes through
 * it (so the next incoming instruction sees them relative to the list that now includes the
 * previous one). Rules: a concurrent insert at or before a position shifts it right (the
 * earlier-integrated insert stays first), a concurrent erase before it shifts it left, an
 * element erased concurrently takes element updates, erases and moves with it, and a
 * concurrent clear drops element references while inserts survive (clamped when applied).
 */
import { SyncErrorCode, SyncProtocolError, type Instruction, type Path } from "@atoll/protocol";

type Kind = "insert" | "erase" | "set" | "clear";

interface ListChange {
  readonly list: string;
  kind: Kind;
  index: number;
  dead: boolean;
}

function listKey(table: string, pk: unknown, listPath: Path): string {
  return JSON.stringify([table, String(pk), listPath]);
}

/** The list changes an instruction makes, as (list, kind, index) facts. */
function changesOf(instruction: Instruction): ListChange[] {
  if (!("path" in instruction)) return [];
  const { path } = instruction;
  const last = path.length - 1;
  const key = (upTo: number) => listKey(instruction.table, instruction.pk, path.slice(0, upTo));
  const at = typeof path[last] === "number" ? path[last] : -1;
  switch (instruction.type) {
    case "ArrayInsert":
      return [{ list: key(last), kind: "insert", index: at, dead: false }];
    case "ArrayErase":
      return [{ list: key(last), kind: "erase", index: at, dead: false }];
    case "ArrayMove":
      return [
        { list: key(last), kind: "erase", index: at, dead: false },
        { list: key(last), kind: "insert", index: instruction.to, dead: false },
      ];
    case "Clear":
      return instruction.collectionType === "list"
        ? [{ list: key(path.length), kind: "clear", index: 0, dead: false }]
        : [];
    case "Update":
      return at >= 0 ? [{ list: key(last), kind: "set", index: at, dead: false }] : [];
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
  if (c.kind === "clear") return o.kind === "insert" ? o.index : undefined;
  if (o.kind === "clear") {
    c.dead = true;
    return o.index;
  }
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
    concurrent: Iterable<Instruction>,
    private readonly maxSteps = Number.POSITIVE_INFINITY,
  ) {
    for (const instruction of concurrent) {
      for (const change of changesOf(instruction)) {
        const list = this.byList.get(change.list) ?? [];
        list.push(change);
        this.byList.set(change.list, list);
      }
    }
  }

  /**
   * The instruction with every list index along its path transformed through the concurrent
   * changes (which are moved past it in turn), or undefined when the element it refers to no
   * longer exists.
   */
  transform(instruction: Instruction): Instruction | undefined {
    if (!("path" in instruction) || !instruction.path.some((e) => typeof e === "number")) {
      if (instruction.type === "Clear" && instruction.collectionType === "list") {
        this.through(
          { kind: "clear", index: 0 },
          listKey(instruction.table, instruction.pk, instruction.path),
        );
      }
      return instruction;
    }
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

  /** Transforms one position through every live concurrent change on `list`, in order. */
  private through(o: { kind: Kind; index: number }, list: string): number | undefined {
    let index: number | undefined = o.index;
    const changes = this.byList.get(list) ?? [];
    this.steps += changes.length;
    if (this.steps > this.maxSteps)
      throw new SyncProtocolError(
        SyncErrorCode.LimitsExceeded,
        `Merging the changeset's list changes with the ${changes.length} made concurrently to one list takes more than the ${this.maxSteps} steps allowed`,
      );
    for (const c of changes) {
      index = transformPair({ kind: o.kind, index }, c);
      if (index === undefined) return undefined;
    }
    return index;
  }
}

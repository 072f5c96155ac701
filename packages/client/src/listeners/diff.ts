/**
 * Change sets for collection listeners, computed from the collection's contents before and after
 * a commit (as Realm reports them: deletions as old indices, insertions and new modifications as
 * new indices, old modifications as old indices).
 */
export interface CollectionChangeSet {
  readonly insertions: number[];
  readonly deletions: number[];
  readonly newModifications: number[];
  readonly oldModifications: number[];
}

export function emptyChangeSet(): CollectionChangeSet {
  return { insertions: [], deletions: [], newModifications: [], oldModifications: [] };
}

/** Changes of a dictionary, by key (Realm's DictionaryChangeSet). */
export interface DictionaryChangeSet {
  readonly insertions: string[];
  readonly modifications: string[];
  readonly deletions: string[];
}
export type KeyedId = readonly [key: string, id: unknown];

export function emptyKeyedChangeSet(): DictionaryChangeSet {
  return { insertions: [], modifications: [], deletions: [] };
}

export function isEmptyChangeSet(changes: CollectionChangeSet | DictionaryChangeSet): boolean {
  return Object.values(changes).every((list: unknown[]) => list.length === 0);
}

/** Keys added, removed, and kept with a new value or a modified object. */
export function diffKeyed(
  before: readonly KeyedId[],
  after: readonly KeyedId[],
  modified: (id: unknown) => boolean,
): DictionaryChangeSet {
  const changes = emptyKeyedChangeSet();
  const old = new Map(before);
  const now = new Map(after);
  for (const [key, id] of after) {
    if (!old.has(key)) changes.insertions.push(key);
    else if (old.get(key) !== id || modified(id)) changes.modifications.push(key);
  }
  for (const [key] of before) if (!now.has(key)) changes.deletions.push(key);
  return changes;
}

/**
 * The common prefix (`[0, start)` in both) and suffix (`[endOld, before.length)` against
 * `[endNew, after.length)`) of two sequences: only the middle between them can differ.
 */
function commonEnds(
  before: readonly unknown[],
  after: readonly unknown[],
): { start: number; endOld: number; endNew: number } {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endOld = before.length;
  let endNew = after.length;
  while (endOld > start && endNew > start && before[endOld - 1] === after[endNew - 1]) {
    endOld--;
    endNew--;
  }
  return { start, endOld, endNew };
}

/** Indices (into `sequence`) of a longest strictly increasing subsequence. */
function longestIncreasing(sequence: readonly number[]): Set<number> {
  const tails: number[] = [];
  const previous = new Array<number>(sequence.length).fill(-1);
  for (let i = 0; i < sequence.length; i++) {
    const value = sequence[i] as number;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sequence[tails[mid] as number] as number) < value) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[i] = tails[lo - 1] as number;
    tails[lo] = i;
  }
  const result = new Set<number>();
  let index = tails.length > 0 ? (tails[tails.length - 1] as number) : -1;
  while (index >= 0) {
    result.add(index);
    index = previous[index] as number;
  }
  return result;
}

/**
 * Diff of two sequences of unique ids (query results): objects that stay in the same relative
 * order are kept; the rest are reported as deleted and inserted, as Realm does for moves. The
 * common prefix and suffix are kept as they are (a longest increasing run always includes them),
 * so a commit that touches few results costs a comparison per result.
 */
export function diffUnique(
  before: readonly unknown[],
  after: readonly unknown[],
  modified: (id: unknown) => boolean,
): CollectionChangeSet {
  const changes = emptyChangeSet();
  const { start, endOld, endNew } = commonEnds(before, after);
  const oldIndex = new Map<unknown, number>();
  for (let i = start; i < endOld; i++) oldIndex.set(before[i], i);
  const kept: { oldAt: number; newAt: number }[] = [];
  for (let newAt = start; newAt < endNew; newAt++) {
    const oldAt = oldIndex.get(after[newAt]);
    if (oldAt !== undefined) kept.push({ oldAt, newAt });
  }
  const stable = longestIncreasing(kept.map((k) => k.oldAt));
  const keptOld = new Set<number>();
  const keptNew = new Set<number>();
  const keep = (oldAt: number, newAt: number): void => {
    if (!modified(after[newAt])) return;
    changes.oldModifications.push(oldAt);
    changes.newModifications.push(newAt);
  };
  for (let i = 0; i < start; i++) keep(i, i);
  kept.forEach((pair, i) => {
    if (!stable.has(i)) return;
    keptOld.add(pair.oldAt);
    keptNew.add(pair.newAt);
    keep(pair.oldAt, pair.newAt);
  });
  for (let i = endOld, j = endNew; i < before.length; i++, j++) keep(i, j);
  for (let i = start; i < endOld; i++) if (!keptOld.has(i)) changes.deletions.push(i);
  for (let j = start; j < endNew; j++) if (!keptNew.has(j)) changes.insertions.push(j);
  changes.oldModifications.sort((a, b) => a - b);
  changes.newModifications.sort((a, b) => a - b);
  return changes;
}

/**
 * Diff of two sequences that may repeat values (lists): the common prefix and suffix are kept;
 * a middle of equal length counts as modified in place, otherwise as deleted and inserted.
 */
export function diffSequence(
  before: readonly unknown[],
  after: readonly unknown[],
  modified: (id: unknown) => boolean,
): CollectionChangeSet {
  const changes = emptyChangeSet();
  const { start, endOld, endNew } = commonEnds(before, after);
  const mark = (oldAt: number, newAt: number): void => {
    changes.oldModifications.push(oldAt);
    changes.newModifications.push(newAt);
  };
  for (let i = 0; i < start; i++) if (modified(after[i])) mark(i, i);
  if (endOld - start === endNew - start) {
    for (let i = start; i < endOld; i++) mark(i, i);
  } else {
    for (let i = start; i < endOld; i++) changes.deletions.push(i);
    for (let j = start; j < endNew; j++) changes.insertions.push(j);
  }
  for (let i = endOld, j = endNew; i < before.length; i++, j++) if (modified(after[j])) mark(i, j);
  return changes;
}

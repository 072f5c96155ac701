/**
 * Property: `diffUnique` (which keeps the common prefix and suffix without looking at them
 * further) reports exactly what the plain longest-increasing-run diff over the whole sequences
 * reports, the oracle below; and its change set turns the old sequence into the new one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffUnique } from "./diff.js";
import type { CollectionChangeSet } from "./diff.js";

/** Every object that keeps its relative order, over the whole sequences: a longest increasing run of old positions. */
function referenceDiff(
  before: readonly number[],
  after: readonly number[],
  modified: (id: unknown) => boolean,
): CollectionChangeSet {
  const oldIndex = new Map(before.map((id, i) => [id, i]));
  const kept = after.flatMap((id, newAt) => {
    const oldAt = oldIndex.get(id);
    return oldAt === undefined ? [] : [{ oldAt, newAt }];
  });
  // Patience sorting with predecessor links (the smallest tail for each run length).
  const tails: number[] = [];
  const previous = kept.map(() => -1);
  kept.forEach(({ oldAt }, i) => {
    let lo = 0;
    while (lo < tails.length && kept[tails[lo] as number]!.oldAt < oldAt) lo++;
    if (lo > 0) previous[i] = tails[lo - 1] as number;
    tails[lo] = i;
  });
  const stable = new Set<number>();
  for (let i = tails.at(-1) ?? -1; i >= 0; i = previous[i] as number) stable.add(i);
  const stay = kept.filter((_, i) => stable.has(i));
  const modifiedPairs = stay.filter(({ newAt }) => modified(after[newAt]));
  return {
    deletions: before.flatMap((_, i) => (stay.some((p) => p.oldAt === i) ? [] : [i])),
    insertions: after.flatMap((_, j) => (stay.some((p) => p.newAt === j) ? [] : [j])),
    oldModifications: modifiedPairs.map((p) => p.oldAt).sort((a, b) => a - b),
    newModifications: modifiedPairs.map((p) => p.newAt).sort((a, b) => a - b),
  };
}

/** Two orderings of subsets of 0..n, sharing long runs (as results before and after a commit do). */
const sequences = fc
  .tuple(fc.uniqueArray(fc.nat(40), { maxLength: 30 }), fc.array(fc.nat(5), { maxLength: 6 }))
  .chain(([before, edits]) =>
    fc.tuple(
      fc.constant(before),
      fc.constant(edits),
      fc.array(fc.nat(), { minLength: edits.length, maxLength: edits.length }),
      fc.uniqueArray(fc.nat(40), { maxLength: 5 }),
    ),
  )
  .map(([before, edits, positions, modified]) => {
    const after = [...before];
    edits.forEach((edit, i) => {
      const at = (positions[i] as number) % (after.length + 1);
      if (edit === 0 && after.length > 0) after.splice(at % after.length, 1);
      else if (edit === 1) {
        const fresh = 100 + i;
        after.splice(at, 0, fresh);
      } else if (edit === 2 && after.length > 1) {
        const [moved] = after.splice(at % after.length, 1);
        after.splice((at * 7) % (after.length + 1), 0, moved as number);
      } else if (edit === 3) after.reverse();
    });
    return { before, after, modified: new Set(modified) };
  });

describe("diffUnique", () => {
  it("reports what the whole-sequence diff reports", () => {
    fc.assert(
      fc.property(sequences, ({ before, after, modified }) => {
        const isModified = (id: unknown): boolean => modified.has(id as number);
        const changes = diffUnique(before, after, isModified);
        expect(changes).toEqual(referenceDiff(before, after, isModified));
        const deleted = new Set(changes.deletions);
        const inserted = new Set(changes.insertions);
        expect(before.filter((_, i) => !deleted.has(i))).toEqual(
          after.filter((_, j) => !inserted.has(j)),
        );
      }),
      { numRuns: 2000 },
    );
  });
});

/**
 * One object's merge metadata while an upload is integrated: changed in place, and indexed
 * so that a write finds the clocks around its path (on it, on the paths containing it and
 * below it) without reading every clock of the object. A changeset of many writes to
 * different keys of one dictionary then costs time linear in its writes, not in writes times
 * keys. `toMeta` gives the `ObjectMeta` that is stored.
 */
import type { Path } from "@atoll/protocol";
import type { Clock } from "./clock.js";
import { pathKey, prefixKeys, type Addition, type ObjectMeta } from "./objectMeta.js";

export class MetaDraft {
  readonly erased: ObjectMeta["erased"];
  private readonly clocks = new Map<string, Clock>();
  private readonly additions = new Map<string, Addition[]>();
  /** For a field key, the keys of clocks and additions strictly below it. */
  private readonly below = new Map<string, Set<string>>();

  constructor(meta: ObjectMeta) {
    this.erased = meta.erased;
    for (const [key, clock] of Object.entries(meta.clocks)) {
      this.clocks.set(key, clock);
      this.index(key);
    }
    for (const [key, list] of Object.entries(meta.additions)) {
      this.additions.set(key, [...list]);
      this.index(key);
    }
  }

  clock(key: string): Clock | undefined {
    return this.clocks.get(key);
  }

  additionsAt(key: string): readonly Addition[] {
    return this.additions.get(key) ?? [];
  }

  /** The clocks of writes to `path`, to a path containing it, and to paths below it. */
  clocksAround(path: Path): Clock[] {
    const out: Clock[] = [];
    const collect = (key: string) => {
      const clock = this.clocks.get(key);
      if (clock) out.push(clock);
    };
    for (const key of prefixKeys(path)) collect(key);
    for (const key of this.below.get(pathKey(path)) ?? []) collect(key);
    return out;
  }

  /** The clocks of writes to `path` and to the paths containing it (not below it). */
  clocksAbove(path: Path): Clock[] {
    return prefixKeys(path).flatMap((key) => this.clocks.get(key) ?? []);
  }

  add(key: string, addition: Addition): void {
    const list = this.additions.get(key);
    if (list) list.push(addition);
    else {
      this.additions.set(key, [addition]);
      this.index(key);
    }
  }

  /** A write to `path` at `stamp`: what was recorded at or below it is superseded. */
  write(path: Path, stamp: Clock): void {
    const key = pathKey(path);
    for (const under of [...(this.below.get(key) ?? [])]) this.remove(under);
    this.remove(key);
    this.clocks.set(key, stamp);
    this.index(key);
  }

  toMeta(): ObjectMeta {
    return {
      clocks: Object.fromEntries(this.clocks),
      additions: Object.fromEntries(this.additions),
      ...(this.erased ? { erased: this.erased } : {}),
    };
  }

  private remove(key: string): void {
    const clock = this.clocks.delete(key);
    const additions = this.additions.delete(key);
    if (!clock && !additions) return;
    for (const prefix of this.prefixesOf(key)) this.below.get(prefix)?.delete(key);
  }

  private index(key: string): void {
    for (const prefix of this.prefixesOf(key)) {
      let keys = this.below.get(prefix);
      if (!keys) {
        keys = new Set();
        this.below.set(prefix, keys);
      }
      keys.add(key);
    }
  }

  /** The keys of the paths strictly containing the path `key` names. */
  private prefixesOf(key: string): string[] {
    const path = JSON.parse(key) as Path;
    return prefixKeys(path).slice(0, -1);
  }
}

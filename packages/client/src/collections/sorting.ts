/** Realm's sort order for `sorted()` and aggregates: null first, then by value within a type. */
import { Decimal128, ObjectId, UUID } from "bson";
import { Counter } from "../objects/Counter.js";

export type SortDescriptor = [keyPath: string, reverse: boolean];

function rank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "boolean") return 1;
  if (typeof value === "number" || value instanceof Decimal128) return 2;
  if (value instanceof Date) return 3;
  if (typeof value === "string") return 4;
  if (value instanceof ArrayBuffer || value instanceof Uint8Array) return 5;
  if (value instanceof ObjectId) return 6;
  if (value instanceof UUID) return 7;
  return 8;
}

export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return Number(a) - Number(b);
    case 2: {
      const x = a instanceof Decimal128 ? Number(a.toString()) : (a as number);
      const y = b instanceof Decimal128 ? Number(b.toString()) : (b as number);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 3:
      return (a as Date).getTime() - (b as Date).getTime();
    case 4:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 5: {
      const x = new Uint8Array(a as ArrayBuffer);
      const y = new Uint8Array(b as ArrayBuffer);
      for (let i = 0; i < Math.min(x.length, y.length); i++)
        if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
      return x.length - y.length;
    }
    case 6:
    case 7: {
      const x = (a as ObjectId).toHexString();
      const y = (b as ObjectId).toHexString();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default:
      return 0;
  }
}

export function readKeyPath(object: unknown, keyPath: string): unknown {
  let current: unknown = object;
  for (const part of keyPath.split(".")) {
    if (current === null || current === undefined) return null;
    current = (current as Record<string, unknown>)[part];
  }
  // A counter sorts and aggregates as its number.
  return current instanceof Counter ? current.value : current;
}

/** Normalises the argument forms of Realm's `sorted(...)`. */
export function sortDescriptors(arg: unknown, reverse: unknown): SortDescriptor[] {
  if (arg === undefined) return [["self", reverse === true]];
  if (typeof arg === "string") return [[arg, reverse === true]];
  if (typeof arg === "boolean") return [["self", arg]];
  if (Array.isArray(arg)) {
    return arg.map((item): SortDescriptor => {
      if (typeof item === "string") return [item, false];
      if (Array.isArray(item) && typeof item[0] === "string") return [item[0], item[1] === true];
      throw new TypeError(`Invalid sort descriptor ${JSON.stringify(item)}`);
    });
  }
  throw new TypeError("sorted() takes a key path, a boolean, or an array of descriptors");
}

export function sortItems<T>(items: T[], descriptors: readonly SortDescriptor[]): T[] {
  const keyed = items.map((item, index) => ({
    item,
    index,
    keys: descriptors.map(([path]) => (path === "self" ? item : readKeyPath(item, path))),
  }));
  keyed.sort((x, y) => {
    for (let i = 0; i < descriptors.length; i++) {
      const order = compareValues(x.keys[i], y.keys[i]);
      if (order !== 0) return (descriptors[i] as SortDescriptor)[1] ? -order : order;
    }
    return x.index - y.index;
  });
  return keyed.map((k) => k.item);
}

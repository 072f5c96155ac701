/**
 * Array-style index access (`collection[0]`, `collection[1] = x`) for live collections: a Proxy
 * that routes integer-like keys to the collection's `get`/`set` and everything else through.
 */
export interface Indexable {
  get(index: number): unknown;
  set(index: number, value: unknown): void;
}

function asIndex(property: string | symbol): number | undefined {
  if (typeof property !== "string" || property === "" || property.length > 15) return undefined;
  const code = property.charCodeAt(0);
  if (code < 48 || code > 57) return undefined;
  const index = Number(property);
  return Number.isInteger(index) && String(index) === property ? index : undefined;
}

const handler: ProxyHandler<Indexable> = {
  get(target, property, receiver) {
    const index = asIndex(property);
    if (index !== undefined) return target.get(index);
    const value = Reflect.get(target, property, target) as unknown;
    void receiver;
    return typeof value === "function"
      ? (value as (...a: unknown[]) => unknown).bind(target)
      : value;
  },
  set(target, property, value) {
    const index = asIndex(property);
    if (index !== undefined) {
      target.set(index, value);
      return true;
    }
    return Reflect.set(target, property, value, target);
  },
  has(target, property) {
    const index = asIndex(property);
    if (index !== undefined) return index < (target as unknown as { length: number }).length;
    return Reflect.has(target, property);
  },
  ownKeys(target) {
    const length = (target as unknown as { length: number }).length;
    return [...Array.from({ length }, (_, i) => String(i))];
  },
  getOwnPropertyDescriptor(target, property) {
    const index = asIndex(property);
    if (index !== undefined && index < (target as unknown as { length: number }).length) {
      return { value: target.get(index), writable: true, enumerable: true, configurable: true };
    }
    return undefined;
  },
};

export function withIndexAccess<T extends Indexable>(collection: T): T {
  return new Proxy<T>(collection, handler);
}

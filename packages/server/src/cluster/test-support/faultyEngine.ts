/**
 * An injected fault for cluster tests: a node's view of a shared engine that misses what other
 * nodes would tell it. `wakeups: false` loses every `listen` wake-up (a dropped notification
 * connection); `commits: false` loses every `onCommit` batch (so the node never reacts to
 * writes, its own included); `beforeScan` runs before each streamed scan reads (another node
 * writing while this one scans). Everything else goes to the shared engine unchanged.
 */
import type { Namespace, ScanQuery, StorageEngine } from "../../storage/StorageEngine.js";

export function faultyEngine(
  shared: StorageEngine,
  faults: {
    readonly wakeups?: false;
    readonly commits?: false;
    readonly beforeScan?: (ns: Namespace) => Promise<void>;
  },
): StorageEngine {
  return new Proxy(shared, {
    get(target, property) {
      if (property === "listen" && faults.wakeups === false) return () => () => {};
      if (property === "onCommit" && faults.commits === false) return () => () => {};
      const { beforeScan } = faults;
      if (property === "scanStream" && beforeScan !== undefined)
        return async function* (ns: Namespace, query?: ScanQuery, pageSize?: number) {
          await beforeScan(ns);
          yield* target.scanStream(ns, query, pageSize);
        };
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
}

/**
 * `watch()`: a live stream of one collection's change events, fed by the storage engine's
 * commit notifications. It starts at the moment `watch` is called (no history), delivers
 * events in feed order, and keeps those that pass the `ids` / `filter` options and the
 * caller's read access (for a delete, judged on the document as it was). It ends when closed
 * or when the storage engine closes.
 */
import type { ChangeRecord, Namespace, StorageEngine } from "../storage/StorageEngine.js";
import { idKey } from "../storage/documentCodec.js";
import type { ReadPlan } from "./AccessPolicy.js";
import { compileFilter } from "./mql.js";
import type { ChangeEvent, ChangeStream, Document, WatchOptions } from "./types.js";

export function openChangeStream(
  storage: StorageEngine,
  ns: Namespace,
  options: WatchOptions,
  plan: () => Promise<ReadPlan>,
): ChangeStream {
  const ids = options.ids === undefined ? undefined : new Set(options.ids.map(idKey));
  const matchesFilter = options.filter === undefined ? () => true : compileFilter(options.filter);
  const queue: ChangeRecord[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const unsubscribe = storage.onCommit(
    (records) => {
      for (const record of records) {
        if (record.ns.db !== ns.db || record.ns.coll !== ns.coll) continue;
        if (ids !== undefined && !ids.has(idKey(record.documentKey._id))) continue;
        queue.push(record);
      }
      wake?.();
    },
    () => close(),
  );

  async function admit(record: ChangeRecord, readPlan: ReadPlan): Promise<ChangeEvent | null> {
    const { fullDocumentBeforeChange, origin: _origin, ...event } = record;
    const judged = record.fullDocument ?? fullDocumentBeforeChange;
    if (judged === undefined || !(await readPlan.visible(judged))) return null;
    if (!compileFilter(readPlan.filter)(judged)) return null;
    let visibleEvent: ChangeEvent = event;
    if (record.fullDocument !== undefined) {
      const revealed = await readPlan.reveal(record.fullDocument);
      if (revealed === null) return null;
      visibleEvent = { ...event, fullDocument: revealed };
      if (event.updateDescription !== undefined) {
        // Field-level rules hide fields from the document; the description must not name them.
        const { updatedFields, removedFields } = event.updateDescription;
        visibleEvent = {
          ...visibleEvent,
          updateDescription: {
            updatedFields: Object.fromEntries(
              Object.keys(updatedFields)
                .filter((name) => name in revealed)
                .map((name) => [name, revealed[name]]),
            ),
            // Which removed fields were readable is unknown once they are gone: name them only
            // when the role hides nothing.
            removedFields: hidesNothing(record.fullDocument, revealed) ? removedFields : [],
          },
        };
      }
    }
    return matchesFilter(visibleEvent as unknown as Record<string, unknown>) ? visibleEvent : null;
  }

  async function* events(): AsyncGenerator<ChangeEvent> {
    const readPlan = await plan();
    try {
      while (!closed) {
        const record = queue.shift();
        if (record === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const event = await admit(record, readPlan);
        if (event !== null) yield event;
      }
    } finally {
      close();
    }
  }

  function close(): void {
    if (closed) return;
    closed = true;
    unsubscribe();
    wake?.();
  }

  const iterator = events();
  return {
    close,
    [Symbol.asyncIterator]: () => iterator,
  };
}

function hidesNothing(full: Document, revealed: Document): boolean {
  return Object.keys(full).every((name) => name in revealed);
}

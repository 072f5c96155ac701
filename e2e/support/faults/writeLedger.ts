/**
 * What the convergence test's clients wrote, in the order they wrote it, and the check that
 * the server's final documents reflect it. A write a client made is "maybe" when the server
 * reported a compensating write for that client and object (the report names objects, not
 * changesets, so any of that client's writes to the object may have been reverted); every
 * other write must show, subject only to the documented conflict rules: last writer wins per
 * field (writes carry strictly increasing timestamps, so the last one in order wins), counter
 * additions add up, list inserts are all kept, and an erase wins over concurrent updates.
 */
import type { TaskSnapshot } from "./syncedClients.js";

type Field = "title" | "group";

interface Write {
  readonly client: string;
  readonly kind: "create" | Field | "increment" | "tag" | "delete";
  readonly value: string | number | null;
}

interface ObjectWrites {
  readonly creator: string;
  readonly initialTags: readonly string[];
  readonly writes: Write[];
  /** Clients whose writes to the object the server must have rejected and reported. */
  readonly mustBeCompensated: Set<string>;
}

export const compensationKey = (client: string, pk: string): string => `${client}|${pk}`;

export class WriteLedger {
  private readonly objects = new Map<string, ObjectWrites>();

  created(
    client: string,
    task: { _id: string; group: string; title: string; tags: readonly string[] },
    outsideView: boolean,
  ): void {
    const writes: Write[] = [
      { client, kind: "create", value: null },
      { client, kind: "title", value: task.title },
      { client, kind: "group", value: task.group },
    ];
    this.objects.set(task._id, {
      creator: client,
      initialTags: task.tags,
      writes,
      mustBeCompensated: new Set(outsideView ? [client] : []),
    });
  }

  wrote(client: string, pk: string, kind: Write["kind"], value: string | number | null): void {
    this.entry(pk).writes.push({ client, kind, value });
  }

  /** `client`'s write to `pk` lands outside its view: the server must reject and report it. */
  mustBeCompensated(client: string, pk: string): void {
    this.entry(pk).mustBeCompensated.add(client);
  }

  /** Every way the server's documents (all of them, keyed by _id) fail to reflect the writes. */
  violations(serverDocuments: readonly TaskSnapshot[], compensated: ReadonlySet<string>): string[] {
    const byId = new Map(serverDocuments.map((doc) => [doc._id, doc]));
    const out: string[] = [];
    for (const [pk, object] of this.objects) {
      const maybe = (client: string) => compensated.has(compensationKey(client, pk));
      for (const client of object.mustBeCompensated)
        if (!maybe(client))
          out.push(`${pk}: the write of ${client} outside its view was not reported`);
      const doc = byId.get(pk);
      const deletes = object.writes.filter((w) => w.kind === "delete");
      if (!doc) {
        if (deletes.length === 0 && !maybe(object.creator))
          out.push(`${pk}: neither deleted nor compensated, yet missing on the server`);
        continue;
      }
      const definiteDelete = deletes.find((w) => !maybe(w.client));
      if (definiteDelete) out.push(`${pk}: deleted by ${definiteDelete.client}, yet on the server`);
      for (const field of ["title", "group"] as const)
        out.push(...this.fieldViolations(pk, object, doc, field, maybe));
      out.push(
        ...this.counterViolations(pk, object, doc, maybe),
        ...this.tagViolations(pk, object, doc, maybe),
      );
    }
    return out;
  }

  private fieldViolations(
    pk: string,
    object: ObjectWrites,
    doc: TaskSnapshot,
    field: Field,
    maybe: (client: string) => boolean,
  ): string[] {
    const writes = object.writes.filter((w) => w.kind === field);
    const last = writes.at(-1)!;
    if (!maybe(last.client))
      return doc[field] === last.value
        ? []
        : [
            `${pk}.${field}: ${String(doc[field])}, but the last write (by ${last.client}) was ${String(last.value)}`,
          ];
    return writes.some((w) => w.value === doc[field])
      ? []
      : [`${pk}.${field}: ${String(doc[field])} was never written`];
  }

  private counterViolations(
    pk: string,
    object: ObjectWrites,
    doc: TaskSnapshot,
    maybe: (client: string) => boolean,
  ): string[] {
    let definite = 0;
    let possible = 0;
    for (const w of object.writes)
      if (w.kind === "increment") {
        if (maybe(w.client)) possible += w.value as number;
        else definite += w.value as number;
      }
    return doc.points >= definite && doc.points <= definite + possible
      ? []
      : [
          `${pk}.points: ${doc.points}, expected ${definite}${possible ? ` to ${definite + possible}` : ""}`,
        ];
  }

  private tagViolations(
    pk: string,
    object: ObjectWrites,
    doc: TaskSnapshot,
    maybe: (client: string) => boolean,
  ): string[] {
    const inserts = object.writes.filter((w) => w.kind === "tag");
    const definite = [
      ...object.initialTags,
      ...inserts.filter((w) => !maybe(w.client)).map((w) => String(w.value)),
    ];
    const possible = new Set([...definite, ...inserts.map((w) => String(w.value))]);
    const out: string[] = [];
    const missing = definite.filter((tag) => !doc.tags.includes(tag));
    if (missing.length > 0)
      out.push(`${pk}.tags: ${missing.join(", ")} missing from ${doc.tags.join(", ")}`);
    const unknown = doc.tags.filter((tag) => !possible.has(tag));
    if (unknown.length > 0) out.push(`${pk}.tags: ${unknown.join(", ")} never inserted`);
    if (new Set(doc.tags).size !== doc.tags.length)
      out.push(`${pk}.tags: duplicates in ${doc.tags.join(", ")}`);
    return out;
  }

  private entry(pk: string): ObjectWrites {
    const object = this.objects.get(pk);
    if (!object) throw new Error(`no task ${pk} was created`);
    return object;
  }
}

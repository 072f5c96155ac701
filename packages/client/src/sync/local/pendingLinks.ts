/**
 * Links set (by the applier) to objects not present yet: a negative placeholder key stands in,
 * and once the whole changeset is applied it becomes the object's key, or null (lists drop it)
 * when the object is still absent.
 */
import type { PrimaryKey } from "@atoll/protocol";
import type { ObjectRow, PropInfo, Stored } from "../../schema/ClassInfo.js";

/** A link whose target was absent when it was set: resolved when the changeset is done. */
interface PendingLink {
  readonly holder: ObjectRow;
  readonly prop: PropInfo;
  readonly placeholder: number;
  readonly table: string;
  readonly pk: PrimaryKey;
}

export class PendingLinks {
  private links: PendingLink[] = [];
  private nextPlaceholder = -1;

  /** Returns the placeholder to store where the link goes. */
  add(holder: ObjectRow, prop: PropInfo, table: string, pk: PrimaryKey): number {
    const placeholder = this.nextPlaceholder--;
    this.links.push({ holder, prop, placeholder, table, pk });
    return placeholder;
  }

  /** Links set to objects absent at the time: the object if it exists now, else null (lists and sets drop them). */
  resolve(findObject: (table: string, pk: PrimaryKey) => ObjectRow | undefined): void {
    const links = this.links;
    if (links.length === 0) return;
    this.links = [];
    for (const link of links) {
      if (!link.holder.alive) continue;
      const key = findObject(link.table, link.pk)?.key ?? null;
      const value = link.holder.values[link.prop.key];
      if (value === link.placeholder) link.holder.values[link.prop.key] = key;
      else if (Array.isArray(value)) {
        const index = value.indexOf(link.placeholder);
        if (index < 0) continue;
        if (key === null) value.splice(index, 1);
        else value[index] = key;
      } else if (value !== null && typeof value === "object") {
        const dictionary = value as Record<string, Stored>;
        for (const [name, item] of Object.entries(dictionary))
          if (item === link.placeholder) dictionary[name] = key;
      }
    }
  }
}

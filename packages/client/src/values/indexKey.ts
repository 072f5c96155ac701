/** Map key for an indexed value (primary keys, indexed properties): bson classes compare by content, not identity. */
export function pkIndexKey(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  return (value as { toHexString(): string }).toHexString();
}

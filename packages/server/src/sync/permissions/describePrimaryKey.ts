/** A primary key as Atlas prints it in compensating-write reasons: ObjectId as hex, UUID with dashes. */
import { UUID } from "bson";

export function describePrimaryKey(pk: unknown): string {
  if (pk === null || pk === undefined) return "null";
  if (typeof pk === "string") return pk;
  if (pk instanceof UUID) return pk.toHexString(true);
  const hex = (pk as { toHexString?: () => string }).toHexString;
  if (typeof hex === "function") return hex.call(pk);
  return String(pk);
}

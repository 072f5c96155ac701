/**
 * The primary key inside a json_error's rejectedUpdates: base64 of the key's payload type and
 * value, where (unlike inside a changeset) a string is written out, `<3> <length> <bytes>`,
 * not interned.
 */
import { encodeCount, encodeInt } from "./integerCodec.js";
import { PayloadTypeNumber, type RealmPrimaryKey } from "./realmInstructions.js";

export function encodeErrorPrimaryKey(pk: RealmPrimaryKey): string {
  const out: number[] = [];
  encodeInt(BigInt(PayloadTypeNumber[pk.type]), out);
  switch (pk.type) {
    case "Null":
      break;
    case "Int":
      encodeInt(pk.value, out);
      break;
    case "String": {
      const bytes = new TextEncoder().encode(pk.value);
      encodeCount(bytes.length, out);
      out.push(...bytes);
      break;
    }
    case "ObjectId":
    case "UUID":
      out.push(...pk.bytes);
      break;
    case "GlobalKey":
      encodeInt(pk.hi, out);
      encodeInt(pk.lo, out);
      break;
  }
  return Buffer.from(out).toString("base64");
}

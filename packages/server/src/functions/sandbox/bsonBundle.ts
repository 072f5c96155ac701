/**
 * The `bson` package's own browser bundle, as source text to evaluate inside a sandbox
 * context, so that functions get the very classes (ObjectId, Decimal128, Long, UUID...) and
 * EJSON that the host uses, and values cross the boundary as canonical EJSON unchanged.
 *
 * One change is made to the text: the bundle allocates a 17 MB scratch buffer for
 * `BSON.serialize` when it loads. Every call gets a fresh context, so that buffer would be
 * paid per call and quickly exhaust the isolate's memory limit; instead it starts empty and
 * `serialize` grows it on first use (it already does so when the buffer is too small).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const EAGER_ALLOCATION = "let buffer = ByteUtils.allocate(MAXSIZE);";
const LAZY_ALLOCATION = "let buffer = ByteUtils.allocate(0);";

let cached: string | undefined;

export function bsonBundleSource(): string {
  if (cached !== undefined) return cached;
  // The package's export map does not expose the bundle; find it beside the CommonJS entry.
  const entry = createRequire(import.meta.url).resolve("bson");
  const text = readFileSync(join(dirname(entry), "bson.bundle.js"), "utf8");
  if (!text.includes(EAGER_ALLOCATION)) {
    throw new Error(
      "unsupported bson bundle: its scratch-buffer allocation was not found (bson 6.x expected)",
    );
  }
  cached = text.replace(EAGER_ALLOCATION, LAZY_ALLOCATION);
  return cached;
}

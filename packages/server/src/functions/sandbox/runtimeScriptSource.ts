/**
 * The whole script every sandbox context evaluates before a function's own source: one
 * function scope holding the bridge, the web shims, the bson bundle, the globals and `run`,
 * whose completion value is `run`. Keeping it all in one closure means nothing but the
 * globals it installs on purpose is reachable from function code.
 */
import { bsonBundleSource } from "./bsonBundle.js";
import { BRIDGE_SOURCE } from "./bridgeSource.js";
import { COLLECTION_SOURCE } from "./collectionSource.js";
import { ENDPOINT_SOURCE } from "./endpointSource.js";
import { GLOBALS_SOURCE } from "./globalsSource.js";
import { HTTP_SOURCE } from "./httpSource.js";
import { RUN_SOURCE } from "./runSource.js";
import { WEB_SHIMS_SOURCE } from "./webShimsSource.js";

let cached: string | undefined;

export function runtimeScriptSource(): string {
  cached ??= [
    "(function () {",
    '"use strict";',
    BRIDGE_SOURCE,
    WEB_SHIMS_SOURCE,
    bsonBundleSource(),
    GLOBALS_SOURCE,
    COLLECTION_SOURCE,
    ENDPOINT_SOURCE,
    HTTP_SOURCE,
    RUN_SOURCE,
    "return run;",
    "})()",
  ].join("\n");
  return cached;
}

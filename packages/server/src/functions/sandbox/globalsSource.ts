/**
 * JavaScript evaluated inside every sandbox context, after the bson bundle: the globals
 * functions see besides `context` (`BSON`, `EJSON`, `console`, `utils.crypto`, `utils.jwt`, timers, and a
 * `require` of the npm modules installed for the app's functions), and the value codec.
 *
 * `console` output goes to the host line by line ("log" host call); the host caps the
 * number and size of lines and answers "closed" once the cap is reached. Timers are host
 * "sleep" calls, so they are bounded by the call's deadline like everything else.
 */
export const GLOBALS_SOURCE = `
const EJSON = BSON.EJSON;
const ejsonStringify = EJSON.stringify;
const ejsonParse = EJSON.parse;

const normalise = (value) => {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = normalise(value[i]);
    return value;
  }
  // By _bsontype, not instanceof: Timestamp is a subclass of Long and must stay a Timestamp.
  const bsonType = value._bsontype;
  if (bsonType === "Int32" || bsonType === "Double") return value.valueOf();
  if (bsonType === "Long") {
    const asNumber = value.toNumber();
    return Number.isSafeInteger(asNumber) ? asNumber : value;
  }
  if (isPlainObject(value)) {
    for (const key of objectKeys(value)) {
      defineProperty(value, key, { value: normalise(value[key]), writable: true, enumerable: true, configurable: true });
    }
  }
  return value;
};

const BsonDouble = BSON.Double;
const isInteger = Number.isInteger;
const isSafeInteger = Number.isSafeInteger;
const isArray = Array.isArray;
const AncestorSet = WeakSet;
const ancestorAdd = WeakSet.prototype.add;
const ancestorHas = WeakSet.prototype.has;
const ancestorDelete = WeakSet.prototype.delete;
// A JS number is a double. bson writes an integral one beyond 2^53 as an int64 whose digits are
// the number's shortest decimal form (2 ** 60 as ...847000, not ...846976): mark it a Double.
// Copies arrays and plain objects (the caller's values stay as they are); a cycle is left in
// place for the encoder to report.
const markUnsafeIntegers = (value, ancestors) => {
  if (typeof value === "number") {
    return isInteger(value) && !isSafeInteger(value) ? new BsonDouble(value) : value;
  }
  if (value === null || typeof value !== "object") return value;
  const array = isArray(value);
  if (!array && !isPlainObject(value)) return value;
  if (reflectApply(ancestorHas, ancestors, [value])) return value;
  reflectApply(ancestorAdd, ancestors, [value]);
  const out = array ? [] : {};
  for (const key of objectKeys(value)) {
    defineProperty(out, key, { value: markUnsafeIntegers(value[key], ancestors), writable: true, enumerable: true, configurable: true });
  }
  reflectApply(ancestorDelete, ancestors, [value]);
  return out;
};
const encodeValue = (value) => ejsonStringify(markUnsafeIntegers(value, new AncestorSet()), { relaxed: false });
const decodeText = (text) => normalise(ejsonParse(text, { relaxed: false }));
// Host results travel as {"v": value}, so that top-level scalars travel as documents.
const decodeResult = (text) => decodeText(text).v;

let logClosed = false;
const formatLogArgument = (value) => {
  if (typeof value === "string") return value;
  if (value instanceof Error) return typeof value.stack === "string" ? value.stack : String(value);
  if (typeof value === "function") return "[Function " + (value.name || "anonymous") + "]";
  if (value === undefined || typeof value === "symbol" || typeof value === "bigint") return String(value);
  try {
    const text = ejsonStringify(value, { relaxed: true });
    if (typeof text === "string") return text;
  } catch {}
  try { return String(value); } catch { return "[unprintable value]"; }
};
const writeLog = (level, args) => {
  if (logClosed) return;
  let line = "";
  for (let i = 0; i < args.length; i++) line += (i === 0 ? "" : " ") + formatLogArgument(args[i]);
  if (hostSync("log", jsonStringify([level, line])) === "closed") logClosed = true;
};
const consoleObject = freeze({
  log: (...args) => writeLog("log", args),
  info: (...args) => writeLog("info", args),
  debug: (...args) => writeLog("debug", args),
  warn: (...args) => writeLog("warn", args),
  error: (...args) => writeLog("error", args),
});

const bytesInput = (input) => {
  if (typeof input === "string") return { text: input };
  if (input instanceof BSON.Binary) return { base64: input.toString("base64") };
  if (ArrayBuffer.isView(input)) {
    const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let latin1 = "";
    for (let i = 0; i < bytes.length; i += 4096) latin1 += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096));
    return { base64: btoa(latin1) };
  }
  throw new TypeError("expected a string, a BSON.Binary or a typed array");
};
const utilsObject = freeze({
  jwt: freeze({
    encode: (signingMethod, payload, secret, customHeaderFields) => hostSync("crypto", jsonStringify({
      op: "jwtEncode", algorithm: signingMethod, payload, secret: String(secret), header: customHeaderFields ?? {},
    })),
    decode: (token, key, returnHeader) => jsonParse(hostSync("crypto", jsonStringify({
      op: "jwtDecode", token: String(token), key: String(key), returnHeader: returnHeader === true,
    }))),
  }),
  crypto: freeze({
    hash: (algorithm, input) => BSON.Binary.createFromBase64(
      hostSync("crypto", jsonStringify({ op: "hash", algorithm: String(algorithm), input: bytesInput(input) }))),
    hmac: (input, secret, algorithm, format) => hostSync("crypto", jsonStringify({
      op: "hmac", algorithm: String(algorithm), input: bytesInput(input), secret: bytesInput(secret), format: String(format ?? "hex"),
    })),
  }),
});

let timerSequence = 0;
const cancelledTimers = new Set();
const runTimer = (id, callback, args) => {
  if (cancelledTimers.has(id)) return false;
  try { reflectApply(callback, undefined, args); } catch (error) { writeLog("error", ["Uncaught exception in a timer:", error]); }
  return true;
};
const startTimer = (callback, delay, args, repeat) => {
  if (typeof callback !== "function") throw new TypeError("the timer callback must be a function");
  const id = ++timerSequence;
  const wait = String(Math.max(0, Number(delay) || 0));
  const tick = () => hostAsync("sleep", wait).then(() => { if (runTimer(id, callback, args) && repeat) tick(); }, () => {});
  tick();
  return id;
};

// CommonJS modules from the app's functions/node_modules: the host finds the file and sends its
// source; it is evaluated here, once per context, with its own require, module and exports.
const loadedModules = new Map();
const loadModule = (from, request) => {
  const found = jsonParse(hostSync("module", jsonStringify({ from, request: String(request) })));
  const cached = loadedModules.get(found.id);
  if (cached !== undefined) return cached.exports;
  const module = { id: found.id, filename: found.id, exports: {}, loaded: false };
  loadedModules.set(found.id, module);
  const dirname = found.id.includes("/") ? found.id.slice(0, found.id.lastIndexOf("/")) : ".";
  const factory = new Function("exports", "require", "module", "__filename", "__dirname",
    found.source + "\\n//# sourceURL=" + found.id);
  const localRequire = (next) => loadModule(found.id, next);
  try {
    reflectApply(factory, module.exports, [module.exports, localRequire, module, found.id, dirname]);
  } catch (error) {
    loadedModules.delete(found.id);
    throw error;
  }
  module.loaded = true;
  return module.exports;
};

const installGlobals = () => {
  // Its callbacks run whenever V8 collects garbage, possibly during a later call in this isolate.
  delete globalThis.FinalizationRegistry;
  globalThis.BSON = BSON;
  globalThis.EJSON = EJSON;
  globalThis.console = consoleObject;
  globalThis.utils = utilsObject;
  globalThis.setTimeout = (callback, delay, ...args) => startTimer(callback, delay, args, false);
  globalThis.setInterval = (callback, delay, ...args) => startTimer(callback, delay, args, true);
  globalThis.clearTimeout = (id) => { cancelledTimers.add(id); };
  globalThis.clearInterval = (id) => { cancelledTimers.add(id); };
  globalThis.require = (name) => loadModule(undefined, name);
};
`;

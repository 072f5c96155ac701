/**
 * JavaScript evaluated inside every sandbox context, first: the call's channel to the host.
 *
 * The host hands the context two `ivm.Reference`s to host functions (one answered
 * synchronously, one with a promise). They take an operation name and a string payload and
 * answer with a string: "R" + payload for a result, "E" + JSON `{message, code?}` for a
 * failure; they never throw or reject. The references live only in this closure, never on
 * the global object, so function code cannot reach them; even if it could, every payload is
 * validated on the host, so it could do nothing the `context` API does not already allow.
 *
 * Values in payloads are canonical EJSON, parsed here with this context's own bson classes and
 * normalised as `data/types.ts` prescribes (int32 and double become numbers, an int64 a number
 * when it is safe).
 */
export const BRIDGE_SOURCE = `
const jsonStringify = JSON.stringify;
const jsonParse = JSON.parse;
const reflectApply = Reflect.apply;
const freeze = Object.freeze;
const defineProperty = Object.defineProperty;
const getPrototypeOf = Object.getPrototypeOf;
const objectKeys = Object.keys;
const ObjectPrototype = Object.prototype;

let bridge = null;

const replyValue = (reply) => {
  if (typeof reply === "string" && reply.charCodeAt(0) === 82) return reply.slice(1);
  let info = {};
  try { info = jsonParse(String(reply).slice(1)); } catch { info = {}; }
  const error = new Error(info && typeof info.message === "string" ? info.message : "the host call failed");
  if (info && typeof info.code === "string") error.code = info.code;
  throw error;
};

const hostSync = (op, payload) => {
  if (bridge === null) throw new Error("the sandbox is not attached to a call");
  return replyValue(bridge.sync.applySync(undefined, [op, payload]));
};

const hostAsync = async (op, payload) => {
  if (bridge === null) throw new Error("the sandbox is not attached to a call");
  return replyValue(await bridge.async.apply(undefined, [op, payload], { result: { promise: true } }));
};

const hostRandomHex = (byteCount) => hostSync("random", String(byteCount));

const isPlainObject = (value) => {
  if (value === null || typeof value !== "object") return false;
  const prototype = getPrototypeOf(value);
  return prototype === ObjectPrototype || prototype === null;
};
`;

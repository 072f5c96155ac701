/**
 * JavaScript evaluated inside every sandbox context before the bson bundle: the few web
 * platform pieces a bare V8 context lacks and the bundle needs (TextEncoder, TextDecoder,
 * atob, btoa, crypto.getRandomValues), plus queueMicrotask. Plain source text, because it
 * runs in another isolate; it is exercised by the sandbox tests.
 *
 * `crypto.getRandomValues` draws from `hostRandomHex(n)`, a binding the runtime source
 * defines in the same enclosing function (it asks the host for random bytes), so ObjectId and
 * UUID values are as unpredictable as the host's own.
 */
export const WEB_SHIMS_SOURCE = `
const utf8Encode = (input) => {
  const text = String(input);
  const bytes = [];
  for (const char of text) {
    let cp = char.codePointAt(0);
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(bytes);
};

// The WHATWG decoder: a bad byte ends the sequence with one U+FFFD and is read again.
const utf8Decode = (bytes, fatal) => {
  const units = [];
  let out = "";
  let codePoint = 0;
  let needed = 0;
  let seen = 0;
  let lower = 0x80;
  let upper = 0xbf;
  const fail = () => {
    if (fatal) throw new TypeError("The encoded data was not valid for encoding utf-8");
    units.push(0xfffd);
  };
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (needed === 0) {
      if (byte <= 0x7f) units.push(byte);
      else if (byte >= 0xc2 && byte <= 0xdf) { needed = 1; codePoint = byte & 0x1f; }
      else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lower = 0xa0;
        if (byte === 0xed) upper = 0x9f;
        needed = 2;
        codePoint = byte & 0x0f;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lower = 0x90;
        if (byte === 0xf4) upper = 0x8f;
        needed = 3;
        codePoint = byte & 0x07;
      } else fail();
    } else if (byte < lower || byte > upper) {
      codePoint = needed = seen = 0;
      lower = 0x80;
      upper = 0xbf;
      fail();
      i--;
    } else {
      lower = 0x80;
      upper = 0xbf;
      codePoint = (codePoint << 6) | (byte & 0x3f);
      seen++;
      if (seen === needed) {
        if (codePoint > 0xffff) {
          const rest = codePoint - 0x10000;
          units.push(0xd800 + (rest >> 10), 0xdc00 + (rest & 0x3ff));
        } else units.push(codePoint);
        codePoint = needed = seen = 0;
      }
    }
    if (units.length >= 4096) { out += String.fromCharCode.apply(null, units); units.length = 0; }
  }
  if (needed !== 0) fail();
  return out + String.fromCharCode.apply(null, units);
};

const toBytes = (input) => {
  if (input === undefined) return new Uint8Array(0);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError("The provided value is not an ArrayBuffer or an ArrayBufferView");
};

globalThis.TextEncoder = class TextEncoder {
  get encoding() { return "utf-8"; }
  encode(input = "") { return utf8Encode(input); }
};

globalThis.TextDecoder = class TextDecoder {
  #fatal;
  constructor(label = "utf-8", options = {}) {
    if (!/^utf-?8$/i.test(String(label))) throw new RangeError("only utf-8 is supported, not " + label);
    this.#fatal = Boolean(options && options.fatal);
  }
  get encoding() { return "utf-8"; }
  get fatal() { return this.#fatal; }
  decode(input) { return utf8Decode(toBytes(input), this.#fatal); }
};

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

globalThis.btoa = (input) => {
  const text = String(input);
  let out = "";
  for (let i = 0; i < text.length; i += 3) {
    const a = text.charCodeAt(i), b = text.charCodeAt(i + 1), c = text.charCodeAt(i + 2);
    if (a > 255 || b > 255 || c > 255) throw new Error("btoa: the string contains characters outside of the Latin1 range");
    const n = (a << 16) | ((b || 0) << 8) | (c || 0);
    out += BASE64[n >> 18] + BASE64[(n >> 12) & 63];
    out += i + 1 < text.length ? BASE64[(n >> 6) & 63] : "=";
    out += i + 2 < text.length ? BASE64[n & 63] : "=";
  }
  return out;
};

globalThis.atob = (input) => {
  const text = String(input).replace(/[\\t\\n\\f\\r ]/g, "").replace(/==?$/, "");
  if (text.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(text)) throw new Error("atob: the string is not correctly encoded");
  let out = "";
  let bits = 0;
  let value = 0;
  for (const char of text) {
    value = (value << 6) | BASE64.indexOf(char);
    bits += 6;
    if (bits >= 8) { bits -= 8; out += String.fromCharCode((value >> bits) & 255); }
  }
  return out;
};

globalThis.crypto = Object.freeze({
  getRandomValues(array) {
    if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array) {
      throw new TypeError("crypto.getRandomValues expects an integer typed array");
    }
    if (array.byteLength > 65536) throw new RangeError("crypto.getRandomValues: at most 65536 bytes at a time");
    const hex = hostRandomHex(array.byteLength);
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
    return array;
  },
});

globalThis.queueMicrotask = (callback) => { Promise.resolve().then(() => callback()); };
`;

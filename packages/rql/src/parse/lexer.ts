import { RqlSyntaxError } from "../errors.js";

/** One lexical token; `offset` is where it starts in the query text. */
export type Token =
  | { type: "ident"; text: string; offset: number } // names and keywords (keywords are case-insensitive)
  | { type: "at"; text: string; offset: number } // `@count`, `@links`… (text without the `@`)
  | { type: "argument"; index: number; offset: number } // `$0`
  | { type: "variable"; text: string; offset: number } // `$x` in SUBQUERY
  | { type: "string"; value: string; offset: number }
  | { type: "number"; text: string; offset: number }
  | { type: "timestamp"; millis: number; offset: number }
  | { type: "objectId"; hex: string; offset: number }
  | { type: "uuid"; text: string; offset: number }
  | { type: "binary"; base64: string; offset: number }
  | { type: "punct"; text: string; offset: number }
  | { type: "end"; offset: number };

const PUNCTUATION = [
  "==",
  "!=",
  "<>",
  "<=",
  ">=",
  "&&",
  "||",
  "=",
  "<",
  ">",
  "!",
  "(",
  ")",
  "{",
  "}",
  "[",
  "]",
  ",",
  ".",
];
const IDENT = /[\p{L}_][\p{L}\p{N}_]*/uy;
const NUMBER = /-?(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/y;
const NEGATIVE_INFINITY = /-\s*inf(?:inity)?(?![\p{L}\p{N}_])/iuy;
const EPOCH_TIMESTAMP = /T(-?\d+):(-?\d+)/y;
const CALENDAR_TIMESTAMP =
  /(\d{4})-(\d{1,2})-(\d{1,2})[@T](\d{1,2}):(\d{1,2}):(\d{1,2})(?::(\d{1,9}))?/y;
const OBJECT_ID = /oid\(\s*([0-9a-fA-F]{24})\s*\)/y;
const UUID =
  /uuid\(\s*([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\s*\)/y;
const BASE64 = /B64"([A-Za-z0-9+/=]*)"/y;
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" };

function matchAt(pattern: RegExp, text: string, offset: number): RegExpExecArray | null {
  pattern.lastIndex = offset;
  return pattern.exec(text);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === " " || /\s/u.test(c)) {
      i++;
      continue;
    }
    const token = readToken(text, i);
    tokens.push(token.token);
    i = token.end;
  }
  tokens.push({ type: "end", offset: text.length });
  return tokens;
}

function readToken(text: string, offset: number): { token: Token; end: number } {
  const c = text[offset] as string;
  if (c === "'" || c === '"') return readString(text, offset);
  // The first character tells which of the special literals may start here.
  let m = c === "T" ? matchAt(EPOCH_TIMESTAMP, text, offset) : null;
  if (m)
    return {
      token: { type: "timestamp", millis: epochMillis(text, offset, m), offset },
      end: offset + m[0].length,
    };
  m = c >= "0" && c <= "9" ? matchAt(CALENDAR_TIMESTAMP, text, offset) : null;
  if (m)
    return {
      token: { type: "timestamp", millis: calendarMillis(text, offset, m), offset },
      end: offset + m[0].length,
    };
  m = c === "o" ? matchAt(OBJECT_ID, text, offset) : null;
  if (m)
    return {
      token: { type: "objectId", hex: (m[1] as string).toLowerCase(), offset },
      end: offset + m[0].length,
    };
  m = c === "u" ? matchAt(UUID, text, offset) : null;
  if (m)
    return {
      token: { type: "uuid", text: (m[1] as string).toLowerCase(), offset },
      end: offset + m[0].length,
    };
  m = c === "B" ? matchAt(BASE64, text, offset) : null;
  if (m)
    return { token: { type: "binary", base64: m[1] as string, offset }, end: offset + m[0].length };
  m = c === "-" ? matchAt(NEGATIVE_INFINITY, text, offset) : null;
  if (m) return { token: { type: "number", text: "-Infinity", offset }, end: offset + m[0].length };
  m = matchAt(NUMBER, text, offset);
  if (m) return { token: { type: "number", text: m[0], offset }, end: offset + m[0].length };
  if (c === "$") {
    const digits = /\d+/y;
    const arg = matchAt(digits, text, offset + 1);
    if (arg)
      return {
        token: { type: "argument", index: Number(arg[0]), offset },
        end: offset + 1 + arg[0].length,
      };
    const name = matchAt(IDENT, text, offset + 1);
    if (name)
      return {
        token: { type: "variable", text: `$${name[0]}`, offset },
        end: offset + 1 + name[0].length,
      };
    throw new RqlSyntaxError(text, offset, "Unexpected '$'", [
      "an argument such as $0",
      "a variable such as $x",
    ]);
  }
  if (c === "@") {
    const name = matchAt(IDENT, text, offset + 1);
    if (name)
      return { token: { type: "at", text: name[0], offset }, end: offset + 1 + name[0].length };
    throw new RqlSyntaxError(text, offset, "Unexpected '@'", ["@count", "@size", "@links", "…"]);
  }
  m = matchAt(IDENT, text, offset);
  if (m) return { token: { type: "ident", text: m[0], offset }, end: offset + m[0].length };
  for (const p of PUNCTUATION) {
    if (text.startsWith(p, offset))
      return { token: { type: "punct", text: p, offset }, end: offset + p.length };
  }
  throw new RqlSyntaxError(text, offset, `Unexpected character ${JSON.stringify(c)}`);
}

function readString(text: string, offset: number): { token: Token; end: number } {
  const quote = text[offset];
  let value = "";
  let i = offset + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === quote) return { token: { type: "string", value, offset }, end: i + 1 };
    if (c !== "\\") {
      value += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) break;
    if (next === "u") {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex))
        throw new RqlSyntaxError(text, i, "Bad \\u escape", ["four hex digits"]);
      value += String.fromCharCode(parseInt(hex, 16));
      i += 6;
    } else {
      value += ESCAPES[next] ?? next; // \\ \' \" and any other escaped character stand for themselves
      i += 2;
    }
  }
  throw new RqlSyntaxError(text, offset, "Unterminated string", [`closing ${quote}`]);
}

function epochMillis(text: string, offset: number, m: RegExpExecArray): number {
  const seconds = Number(m[1]);
  const nanos = Number(m[2]);
  // Realm requires seconds and nanoseconds to have the same sign.
  if ((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0) || Math.abs(nanos) > 999_999_999) {
    throw new RqlSyntaxError(text, offset, "Invalid timestamp", [
      "T<seconds>:<nanoseconds> with matching signs",
    ]);
  }
  return checkedMillis(text, offset, seconds * 1000 + Math.trunc(nanos / 1_000_000));
}

function calendarMillis(text: string, offset: number, m: RegExpExecArray): number {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const nanos = m[7] === undefined ? 0 : Number(m[7]);
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years below 100 as 19xx
  check.setUTCHours(hour, minute, second, Math.trunc(nanos / 1_000_000));
  const millis = check.getTime();
  if (
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new RqlSyntaxError(text, offset, "Invalid date", ["YYYY-MM-DD@HH:MM:SS[:nanoseconds]"]);
  }
  return checkedMillis(text, offset, millis);
}

function checkedMillis(text: string, offset: number, millis: number): number {
  if (!Number.isFinite(millis) || Math.abs(millis) > 8.64e15) {
    throw new RqlSyntaxError(text, offset, "Timestamp out of range");
  }
  return millis;
}

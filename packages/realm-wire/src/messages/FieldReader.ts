/**
 * Reads the text fields of a message: realm-core's header lines and changeset entry headers are
 * ASCII decimal numbers, each followed by exactly one space or, for the last, a newline. Fields
 * are read from untrusted bytes, so every read checks what is there and fails with a
 * SyncProtocolError (bad syntax) naming the field.
 */
import { SyncErrorCode, SyncProtocolError } from "@atoll/protocol";

const SPACE = 0x20;
const NEWLINE = 0x0a;
/** Enough for any version, ident or size below 2^53 and for a leading zero or two. */
const MAX_DIGITS = 20;
const MAX_WORD = 32;
/** Longer than any double JavaScript or C++ prints ("1.3101713331847502e-257"). */
const MAX_FRACTION = 32;

export class FieldReader {
  private position: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly code: SyncErrorCode = SyncErrorCode.BadSyntax,
  ) {
    this.position = start;
  }

  get offset(): number {
    return this.position;
  }

  get remaining(): number {
    return this.bytes.length - this.position;
  }

  /** A word of letters and underscores (the message type), followed by a space or newline. */
  word(): string {
    const start = this.position;
    let text = "";
    while (this.position - start < MAX_WORD) {
      const byte = this.bytes[this.position];
      if (byte === undefined) break;
      if (byte === SPACE || byte === NEWLINE) {
        this.position++;
        return text;
      }
      const isLetter = (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f;
      if (!isLetter) break;
      text += String.fromCharCode(byte);
      this.position++;
    }
    return this.fail("message type");
  }

  /** Whether the last field read ended the line. */
  endedLine(): boolean {
    return this.bytes[this.position - 1] === NEWLINE;
  }

  /** A non-negative safe integer followed by `terminator`. */
  number(what: string, terminator: "space" | "newline" = "space"): number {
    let value = 0;
    let digits = 0;
    for (;;) {
      const byte = this.bytes[this.position];
      if (byte === undefined || byte < 0x30 || byte > 0x39) break;
      value = value * 10 + (byte - 0x30);
      digits++;
      this.position++;
      if (digits > MAX_DIGITS) return this.fail(what);
    }
    if (digits === 0 || !Number.isSafeInteger(value)) return this.fail(what);
    this.terminator(what, terminator);
    return value;
  }

  bool(what: string, terminator: "space" | "newline" = "space"): boolean {
    return this.number(what, terminator) !== 0;
  }

  /** A decimal fraction (the download's progress estimate), followed by `terminator`. */
  fraction(what: string, terminator: "space" | "newline" = "space"): number {
    let text = "";
    for (;;) {
      const byte = this.bytes[this.position];
      if (byte === undefined || !isNumberCharacter(byte) || text.length > MAX_FRACTION) break;
      text += String.fromCharCode(byte);
      this.position++;
    }
    const value = Number(text);
    if (text === "" || !Number.isFinite(value)) return this.fail(what);
    this.terminator(what, terminator);
    return value;
  }

  take(length: number, what: string): Uint8Array {
    if (length > this.remaining) return this.fail(`${what} (declared ${length} bytes)`);
    const slice = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return slice;
  }

  text(length: number, what: string): string {
    try {
      return utf8.decode(this.take(length, what));
    } catch (cause) {
      if (cause instanceof SyncProtocolError) throw cause;
      return this.fail(`${what} (not UTF-8)`);
    }
  }

  expectEnd(what: string): void {
    if (this.remaining !== 0) this.fail(`${what}: ${this.remaining} bytes left over`);
  }

  fail(what: string): never {
    throw new SyncProtocolError(this.code, `Bad ${what} at byte ${this.position}`);
  }

  private terminator(what: string, terminator: "space" | "newline"): void {
    const expected = terminator === "space" ? SPACE : NEWLINE;
    if (this.bytes[this.position] !== expected) this.fail(what);
    this.position++;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function isNumberCharacter(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2e ||
    byte === 0x2d ||
    byte === 0x2b ||
    byte === 0x65 ||
    byte === 0x45
  );
}

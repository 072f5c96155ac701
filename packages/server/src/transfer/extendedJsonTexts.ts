/**
 * Splits `mongoexport` output into the text of each document, streaming: JSON lines (one
 * document per line, the default) or one JSON array (`--jsonArray`), told apart by the first
 * character that is not white space. Each text comes with its position in the file: its line
 * number for JSON lines, its index from 1 in the array.
 */
import { StringDecoder } from "node:string_decoder";

export interface PositionedText {
  readonly position: number;
  readonly text: string;
}

export class MalformedJsonArray extends Error {}

export async function* extendedJsonTexts(
  chunks: AsyncIterable<Buffer>,
): AsyncGenerator<PositionedText> {
  const decoder = new StringDecoder("utf8");
  let form: "lines" | "array" | undefined;
  const lines = new LineSplitter();
  const array = new ArraySplitter();
  const feed = (text: string): PositionedText[] => {
    if (form === undefined) {
      const first = text.match(/\S/)?.[0];
      if (first === undefined) return [];
      form = first === "[" ? "array" : "lines";
    }
    return form === "array" ? array.push(text) : lines.push(text);
  };
  for await (const chunk of chunks) yield* feed(decoder.write(chunk));
  yield* feed(decoder.end());
  if (form === "array") array.end();
  else yield* lines.end();
}

class LineSplitter {
  private carry = "";
  private line = 0;

  push(text: string): PositionedText[] {
    const out: PositionedText[] = [];
    let start = 0;
    let end = text.indexOf("\n");
    if (end === -1) {
      this.carry += text;
      return out;
    }
    let head = this.carry;
    this.carry = "";
    while (end !== -1) {
      this.emit(head + text.slice(start, end), out);
      head = "";
      start = end + 1;
      end = text.indexOf("\n", start);
    }
    this.carry = text.slice(start);
    return out;
  }

  end(): PositionedText[] {
    const out: PositionedText[] = [];
    if (this.carry !== "") this.emit(this.carry, out);
    this.carry = "";
    return out;
  }

  private emit(raw: string, out: PositionedText[]): void {
    this.line += 1;
    const text = raw.trim();
    if (text !== "") out.push({ position: this.line, text });
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKETS = new Set([0x5b, 0x7b]);
const CLOSE_BRACKETS = new Set([0x5d, 0x7d]);

/** The elements of one top-level JSON array, by scanning strings and nesting, not parsing. */
class ArraySplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private element = "";
  private index = 0;
  private closed = false;

  push(text: string): PositionedText[] {
    const out: PositionedText[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (OPEN_BRACKETS.has(c)) {
        if (this.closed) throw new MalformedJsonArray("text after the end of the JSON array");
        this.depth += 1;
        if (this.depth === 1) start = i + 1;
      } else if (CLOSE_BRACKETS.has(c) || (c === COMMA && this.depth === 1)) {
        if (this.depth === 1) {
          this.emit(this.element + text.slice(start, i), out, c === COMMA);
          this.element = "";
          start = i + 1;
          if (c !== COMMA) this.closed = true;
        }
        if (c !== COMMA) this.depth -= 1;
        if (this.depth < 0) throw new MalformedJsonArray("a bracket closes nothing");
      }
    }
    if (this.depth >= 1) this.element += text.slice(start);
    return out;
  }

  end(): void {
    if (!this.closed) throw new MalformedJsonArray("the JSON array is not closed");
  }

  private emit(raw: string, out: PositionedText[], followedByComma: boolean): void {
    const text = raw.trim();
    if (text === "" && !followedByComma && this.index === 0) return; // []
    this.index += 1;
    out.push({ position: this.index, text });
  }
}

/**
 * Reads the WebSocket recordings in ./captures: real exchanges between a realm-core 14.14.0
 * client and a minimal test server. Each frame is a line `[+Nms] C->S opcode=2 len=N` followed
 * by its bytes, printable ASCII and newlines as they are and other bytes as `\xNN`.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface CapturedFrame {
  readonly file: string;
  readonly direction: "C->S" | "S->C";
  readonly bytes: Uint8Array;
}

const capturesDirectory = path.join(path.dirname(fileURLToPath(import.meta.url)), "captures");
const FRAME_LINE = /^\[\+\d+ms\] (C->S|S->C) opcode=2 len=(\d+)\n/gm;

export function readCapturedFrames(): CapturedFrame[] {
  const frames: CapturedFrame[] = [];
  for (const file of readdirSync(capturesDirectory).sort()) {
    const text = readFileSync(path.join(capturesDirectory, file), "latin1");
    for (const match of text.matchAll(FRAME_LINE)) {
      const length = Number(match[2]);
      const bytes = unescapeFrame(text, match.index + match[0].length, length);
      frames.push({ file, direction: match[1] as CapturedFrame["direction"], bytes });
    }
  }
  return frames;
}

function unescapeFrame(text: string, start: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let at = start;
  for (let i = 0; i < length; i++) {
    const escaped = /^\\x([0-9a-f]{2})/.exec(text.slice(at, at + 4));
    if (escaped?.[1] !== undefined) {
      bytes[i] = parseInt(escaped[1], 16);
      at += 4;
    } else {
      bytes[i] = text.charCodeAt(at);
      at += 1;
    }
  }
  return bytes;
}

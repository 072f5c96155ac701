/**
 * A dump or export file opened for streaming: gzip-compressed files (by their magic bytes,
 * whatever their name) are decompressed on the fly, and how far into the file the reading has
 * come is known at any time, for progress and its estimate of the time left.
 */
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createGunzip } from "node:zlib";

export interface SourceFile {
  readonly path: string;
  /** Size of the file on disk (compressed, when it is). */
  readonly size: number;
  /** Bytes of the file read so far (compressed bytes, when it is). */
  bytesRead(): number;
  /** The file's content, decompressed. */
  readonly chunks: AsyncIterable<Buffer>;
}

const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

export async function openSourceFile(path: string): Promise<SourceFile> {
  const { size } = await stat(path);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const chunks = (await isGzip(path)) ? raw.pipe(createGunzip()) : raw;
  raw.on("error", (error) => chunks.destroy(error));
  return { path, size, bytesRead: () => raw.bytesRead, chunks };
}

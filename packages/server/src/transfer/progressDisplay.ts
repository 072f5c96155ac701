/**
 * How a long transfer shows its progress: on a terminal, one line redrawn in place (a bar,
 * documents so far, rate, estimated time left); elsewhere (a log, a pipe), a plain line now
 * and then and at the end of each file. The estimate follows bytes read, since a file's
 * document count is unknown until it has been read.
 */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const BAR_WIDTH = 24;
const TTY_EVERY_MS = 100;
const PLAIN_EVERY_MS = 5000;

export class ProgressDisplay {
  private readonly started: number;
  private lastShown = 0;
  private drawn = false;

  constructor(
    private readonly out: ProgressOutput,
    /** Bytes of every file to read. */
    private readonly totalBytes: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.started = now();
    this.lastShown = this.started;
  }

  /** `documents` read so far, `bytes` of all the files read so far. */
  update(documents: number, bytes: number, force = false): void {
    const now = this.now();
    const every = this.out.isTTY === true ? TTY_EVERY_MS : PLAIN_EVERY_MS;
    if (!force && now - this.lastShown < every) return;
    this.lastShown = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const rate = documents / seconds;
    const share = this.totalBytes === 0 ? 1 : Math.min(bytes / this.totalBytes, 1);
    const eta = share > 0 ? seconds * ((1 - share) / share) : undefined;
    const figures = `${documents.toLocaleString("en-US")} documents, ${formatRate(rate)}/s, ${(share * 100).toFixed(0)}%${eta === undefined ? "" : `, ${formatDuration(eta)} left`}`;
    if (this.out.isTTY === true) {
      const filled = Math.round(share * BAR_WIDTH);
      const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
      this.out.write(`\r\x1b[K${bar} ${figures}`);
      this.drawn = true;
    } else this.out.write(`import: ${figures}\n`);
  }

  /** Ends the redrawn line, so what follows starts on a line of its own. */
  end(): void {
    if (this.drawn) this.out.write("\n");
    this.drawn = false;
  }

  /** Writes a line of its own (a rejected document) without garbling the bar. */
  note(line: string): void {
    if (this.drawn) this.out.write("\r\x1b[K");
    this.out.write(`${line}\n`);
    this.drawn = false;
  }
}

export function formatRate(perSecond: number): string {
  return perSecond >= 1000 ? `${(perSecond / 1000).toFixed(1)}k` : perSecond.toFixed(0);
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

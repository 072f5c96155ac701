/**
 * The console output of one call tree (a call and the calls it makes), as lines. Bounded, so a
 * function printing in a loop cannot exhaust the server's memory: past the limits one last
 * line says the output was cut, and the sandbox is told to stop sending.
 */
export interface ConsoleLimits {
  readonly maxLines: number;
  readonly maxChars: number;
}

export const DEFAULT_CONSOLE_LIMITS: ConsoleLimits = { maxLines: 1000, maxChars: 1024 * 1024 };

export class ConsoleCapture {
  readonly lines: string[] = [];
  private chars = 0;
  private closed = false;

  constructor(private readonly limits: ConsoleLimits = DEFAULT_CONSOLE_LIMITS) {}

  /** Adds a line; false once the output is closed. */
  add(line: string): boolean {
    if (this.closed) return false;
    if (
      this.lines.length >= this.limits.maxLines ||
      this.chars + line.length > this.limits.maxChars
    ) {
      this.closed = true;
      this.lines.push(
        `… console output truncated (limits: ${this.limits.maxLines} lines, ${this.limits.maxChars} characters)`,
      );
      return false;
    }
    this.lines.push(line);
    this.chars += line.length;
    return true;
  }
}

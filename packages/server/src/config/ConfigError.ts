import { AtollError } from "@atoll/protocol";

/**
 * An app export that cannot be served. Start-up stops on the first one, and the message is
 * meant to be read by the person who edits the export: it names the file (relative to the
 * app directory), the field inside it, and what is wrong, e.g.
 * `auth/providers.json: google.type: unknown auth provider type "oauth2-goggle"`.
 */
export class ConfigError extends AtollError<"ConfigError"> {
  /** The file, relative to the app directory, with forward slashes. */
  readonly file: string;
  /** A path inside the file (`roles[0].apply_when`), or "" when the problem is the file itself. */
  readonly field: string;
  /** 1-based position of a JSON syntax error. */
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    file: string,
    field: string,
    problem: string,
    options: { line?: number; column?: number; cause?: unknown } = {},
  ) {
    const where =
      options.line === undefined ? file : `${file}:${options.line}:${options.column ?? 1}`;
    super("ConfigError", field === "" ? `${where}: ${problem}` : `${where}: ${field}: ${problem}`, {
      details: { file, field, line: options.line, column: options.column },
      cause: options.cause,
    });
    this.file = file;
    this.field = field;
    this.line = options.line;
    this.column = options.column;
  }
}

/** Formats a path inside a JSON document the way the error messages show it. */
export function fieldPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$%][\w$%-]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

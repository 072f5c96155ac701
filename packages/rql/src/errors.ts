/**
 * Errors raised by the query language. Every failure the package reports on purpose is an
 * `RqlError` with a stable `code`, so callers (the server answering a bad subscription, the SDK's
 * `filtered`) can map it without parsing messages.
 */
export class RqlError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The text is not a query. `offset` is the position (in UTF-16 code units) where parsing stopped. */
export class RqlSyntaxError extends RqlError {
  readonly offset: number;
  readonly expected: string[];

  constructor(text: string, offset: number, problem: string, expected: readonly string[] = []) {
    const wanted = expected.length > 0 ? `; expected ${expected.join(", ")}` : "";
    super("RqlSyntaxError", `${problem} at offset ${offset}${wanted}: ${excerpt(text, offset)}`);
    this.offset = offset;
    this.expected = [...expected];
  }
}

/** The query is well formed but does not fit the schema or its arguments. */
export class RqlBindError extends RqlError {
  constructor(message: string) {
    super("RqlBindError", message);
  }
}

/** A construct valid in RQL that this target (the SQL compiler, for instance) cannot express exactly. */
export class RqlUnsupportedError extends RqlError {
  constructor(message: string) {
    super("RqlUnsupportedError", message);
  }
}

/** The query is valid but evaluating it needs something the caller did not provide (e.g. backlinks). */
export class RqlEvaluationError extends RqlError {
  constructor(message: string) {
    super("RqlEvaluationError", message);
  }
}

/** Shows the text around `offset` with a marker, e.g. `age > >> 5 AND`, at most ~20 characters each side. */
function excerpt(text: string, offset: number): string {
  const before = text.slice(Math.max(0, offset - 20), offset);
  const after = text.slice(offset, offset + 20);
  const head = offset > 20 ? "…" : "";
  const tail = offset + 20 < text.length ? "…" : "";
  return `${head}${before}⟨here⟩${after}${tail}`;
}

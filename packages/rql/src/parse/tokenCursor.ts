import { RqlSyntaxError } from "../errors.js";
import { tokenize } from "./lexer.js";
import type { Token } from "./lexer.js";

/** Nesting beyond this is refused with a syntax error instead of exhausting the call stack. */
const MAX_DEPTH = 200;

/** The parser's view of the token stream: looking ahead, consuming, and failing with context. */
export class TokenCursor {
  protected readonly tokens: Token[];
  protected position = 0;
  private depth = 0;

  constructor(protected readonly text: string) {
    this.tokens = tokenize(text);
  }

  protected nested<T>(token: Token, parse: () => T): T {
    if (++this.depth > MAX_DEPTH)
      this.fail(token, `Query nested more than ${MAX_DEPTH} levels deep`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  protected peek(): Token {
    return this.tokens[this.position] as Token;
  }

  protected peekAt(ahead: number): Token {
    return this.tokens[Math.min(this.position + ahead, this.tokens.length - 1)] as Token;
  }

  protected peekIs(punct: string): boolean {
    const token = this.peek();
    return token.type === "punct" && token.text === punct;
  }

  protected keyword(token: Token): string | undefined {
    return token.type === "ident" ? token.text.toLowerCase() : undefined;
  }

  protected acceptPunct(punct: string): boolean {
    if (!this.peekIs(punct)) return false;
    this.position++;
    return true;
  }

  protected acceptKeyword(word: string): boolean {
    if (this.keyword(this.peek()) !== word) return false;
    this.position++;
    return true;
  }

  protected expectPunct(punct: string): Token {
    const token = this.peek();
    if (!this.acceptPunct(punct)) this.fail(token, `Expected '${punct}'`, [punct]);
    return token;
  }

  protected expectIdent(what: string): string {
    const token = this.peek();
    if (token.type !== "ident") return this.fail(token, `Expected ${what}`, [what]);
    this.position++;
    return token.text;
  }

  protected fail(
    token: Token,
    problem: string,
    expected: string[] = [],
    offset = token.offset,
  ): never {
    const found =
      token.type === "end"
        ? "end of query"
        : `'${this.text.slice(token.offset, token.offset + 12)}'`;
    throw new RqlSyntaxError(this.text, offset, `${problem} (found ${found})`, expected);
  }
}

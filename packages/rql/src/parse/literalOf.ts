import type { LiteralValue } from "./ast.js";
import type { Token } from "./lexer.js";

/** The literal a token stands for, or undefined when it is not a literal. */
export function literalOf(token: Token, word: string | undefined): LiteralValue | undefined {
  switch (token.type) {
    case "string":
      return { type: "string", value: token.value };
    case "number":
      return { type: "number", text: token.text };
    case "timestamp":
      return { type: "timestamp", millis: token.millis };
    case "objectId":
      return { type: "objectId", hex: token.hex };
    case "uuid":
      return { type: "uuid", text: token.text };
    case "binary":
      return { type: "binary", base64: token.base64 };
    default:
      break;
  }
  if (word === "true" || word === "false") return { type: "bool", value: word === "true" };
  if (word === "null" || word === "nil") return { type: "null" };
  if (word === "inf" || word === "infinity") return { type: "number", text: "Infinity" };
  if (word === "nan") return { type: "number", text: "NaN" };
  return undefined;
}

import type { PathNode, PathStep } from "./ast.js";
import { quoteString } from "./quoteString.js";

/** The canonical text of a key path, e.g. `ANY dogs.@links.Person.dogs.@count` or `dict['a b']`. */
export function pathText(path: PathNode): string {
  let text = path.variable ?? "";
  for (const step of path.steps) {
    const part = stepText(step);
    text += step.kind === "key" || text === "" ? part : `.${part}`;
  }
  return path.quantifier === undefined ? text : `${path.quantifier.toUpperCase()} ${text}`;
}

function stepText(step: PathStep): string {
  switch (step.kind) {
    case "property":
      return step.name;
    case "key":
      return `[${quoteString(step.key)}]`;
    case "keys":
    case "values":
    case "type":
      return `@${step.kind}`;
    case "aggregate":
      return `@${step.name}`;
    case "backlinks":
      return `@links.${step.className}.${step.property}`;
    case "allBacklinks":
      return "@links";
  }
}

/**
 * Compiles a function's source file into a module factory script for one isolate. The source
 * is wrapped so that its top level runs inside `function (module) { var exports = ...; }`
 * and the factory returns what `exports` ended as; the wrapper's first line is taken off the
 * line numbers, so syntax errors and stack traces name the line of the file as written.
 */
import { AppError } from "@atoll/protocol";
import type ivm from "isolated-vm";

const PREFIX = "(function () { return function (module) { var exports = module.exports;\n";
const SUFFIX = "\n;return exports; }; })()";

// isolated-vm appends the position to the message: "Unexpected token ';' [functions/f.js:2:13]".
const POSITION = /^(.*) \[(.*):(\d+):(\d+)\]$/s;

export async function compileModule(
  isolate: ivm.Isolate,
  source: string,
  file: string,
): Promise<ivm.Script> {
  try {
    return await isolate.compileScript(PREFIX + source + SUFFIX, {
      filename: file,
      lineOffset: -1,
    });
  } catch (error) {
    if (!(error instanceof Error) || error.name !== "SyntaxError") throw error;
    throw syntaxError(error.message, file);
  }
}

function syntaxError(message: string, file: string): AppError {
  const match = POSITION.exec(message);
  const reason = match?.[1] ?? message;
  const line = match === null ? undefined : Number(match[3]);
  const column = match === null ? undefined : Number(match[4]);
  const where = line === undefined ? file : `${file}, line ${line}, column ${column}`;
  return new AppError("FunctionSyntaxError", `SyntaxError in ${where}: ${reason}`, {
    details: { file, ...(line === undefined ? {} : { line, column }) },
  });
}

/**
 * Changesets as bytes: one BSON document `{ version, … }`. `encodeChangeset` writes the current
 * instruction-set version (INSTRUCTIONS_VERSION, 2: `changesetV2Format.ts`); `decodeChangeset`
 * reads it and version 1 (`{ version: 1, instructions: [{type, table, pk, …}, …] }`), which
 * stays readable for good: upload logs on devices and history entries on servers hold it.
 *
 * Decoding validates everything (frames from elsewhere are never trusted): a changeset that is
 * not well formed throws ChangesetFormatError, never yields a malformed instruction.
 */
import { BSON } from "bson";
import { decodeChangesetV2 } from "./decodeChangesetV2.js";
import { encodeChangesetV2 } from "./encodeChangesetV2.js";
import { ChangesetFormatError, INSTRUCTIONS_VERSION, validateInstruction } from "./instructions.js";
import type { Instruction } from "./instructions.js";

/** Encodes a changeset in the current instruction-set version. */
export function encodeChangeset(instructions: readonly Instruction[]): Uint8Array {
  return encodeChangesetV2(instructions, INSTRUCTIONS_VERSION);
}

/** Decodes and validates a changeset of instruction-set version 1 or 2. */
export function decodeChangeset(bytes: Uint8Array): Instruction[] {
  let document: Record<string, unknown>;
  try {
    document = BSON.deserialize(bytes, { promoteLongs: false });
  } catch (error) {
    throw new ChangesetFormatError(`Changeset is not valid BSON: ${(error as Error).message}`);
  }
  switch (document.version) {
    case 2:
      return decodeChangesetV2(document);
    case 1:
      return decodeChangesetV1(document);
    default:
      throw new ChangesetFormatError(
        `Changeset has instruction-set version ${String(document.version)}, expected 1 or 2`,
      );
  }
}

/** Version 1: every instruction a document of its own, validated against INSTRUCTION_SHAPES. */
function decodeChangesetV1(document: Record<string, unknown>): Instruction[] {
  const list = document.instructions;
  if (!Array.isArray(list)) throw new ChangesetFormatError("Changeset has no instruction list");
  return list.map((item, index) => validateInstruction(item, index));
}

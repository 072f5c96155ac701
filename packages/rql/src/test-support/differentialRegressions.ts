import type { DifferentialCase } from "./differential.js";

/** Shrunk counterexamples the differential property once found, kept so they stay fixed on every engine. */
export const differentialRegressions: (DifferentialCase & { name: string })[] = [];

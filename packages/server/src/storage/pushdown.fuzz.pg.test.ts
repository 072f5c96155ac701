import { afterAll } from "vitest";
import { openStorage } from "./openStorage.js";
import { describePushdownDifferential } from "./test-support/describePushdownDifferential.js";
import { PostgresSchemas } from "./test-support/postgresSchemas.js";

const schemas = new PostgresSchemas();
afterAll(() => schemas.dropAll());

describePushdownDifferential("postgres", () => openStorage(schemas.spec()));

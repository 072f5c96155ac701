import { openStorage } from "./openStorage.js";
import { describePushdownDifferential } from "./test-support/describePushdownDifferential.js";

describePushdownDifferential("sqlite", () => openStorage("memory"));

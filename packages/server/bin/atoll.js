#!/usr/bin/env node
// The `atoll` command. This file is committed rather than built so that npm can link the
// command when it installs the workspace, before the first build; the CLI itself is the
// compiled dist/cli.js.
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  console.error(
    "atoll: the server is not built yet (dist/cli.js is missing); run `npm run build` in the repository first",
  );
  process.exit(1);
}
await import(cli.href);

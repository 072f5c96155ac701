// Run by npm before it installs the repository's dependencies (the root `preinstall` script):
// the native addons below are compiled from source unless a prebuilt binary is found, which
// takes minutes with no output, and fails late and obscurely without a C++ toolchain.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

const ADDONS = ["better-sqlite3", "better-sqlite3-multiple-ciphers", "isolated-vm", "re2"];
const TOOLS = ["python3", "make", "g++"];

function onPath(tool) {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

console.error(
  `atoll: npm compiles the native addons ${ADDONS.join(", ")} from source when it installs ` +
    "them (with python3, make and g++): several minutes on a small machine, with no output.",
);
const missing = process.platform === "win32" ? [] : TOOLS.filter((tool) => !onPath(tool));
if (missing.length > 0) {
  console.error(
    `atoll: ${missing.join(", ")} not found: compiling the native addons will fail ` +
      "(Debian/Ubuntu: apt-get install python3 make g++).",
  );
}

import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { isDeadLocalProcess, newNodeId, retireNodeId } from "./nodeIdentity.js";

async function pidOfEndedProcess(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  const pid = child.pid!;
  await new Promise((resolve) => child.on("exit", resolve));
  return pid;
}

describe("claims of processes that are gone", () => {
  const self = newNodeId();

  it("a process of this machine that has ended is gone; a running one is not", async () => {
    const ended = await pidOfEndedProcess();
    expect(isDeadLocalProcess(`${hostname()}/${ended}/x`, self)).toBe(true);
    expect(isDeadLocalProcess(`${hostname()}/${process.ppid}/x`, self)).toBe(false);
  });

  it("a process of another machine is never taken for gone", async () => {
    const ended = await pidOfEndedProcess();
    expect(isDeadLocalProcess(`elsewhere-${hostname()}/${ended}/x`, self)).toBe(false);
  });

  it("with this process's pid: another live service of this process is not gone, an earlier process is", () => {
    const other = newNodeId();
    expect(isDeadLocalProcess(other, self)).toBe(false);
    retireNodeId(other);
    expect(isDeadLocalProcess(other, self)).toBe(true);
    expect(isDeadLocalProcess(`${hostname()}/${process.pid}/from-an-earlier-process`, self)).toBe(
      true,
    );
  });
});

/**
 * Names a server process in trigger claims as `<host>/<pid>/<random>`, so that a process can
 * tell a claim left by a dead process on its own machine (a crash, then a restart) and take
 * the trigger over at once instead of waiting for the claim to lapse. Claims of processes on
 * other machines, or of live ones, are only ever taken over when they lapse.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

/** The ids of this process's trigger services that have not stopped. */
const live = new Set<string>();

export function newNodeId(): string {
  const id = `${hostname()}/${process.pid}/${randomUUID()}`;
  live.add(id);
  return id;
}

/** The trigger service named `id` has stopped. */
export function retireNodeId(id: string): void {
  live.delete(id);
}

/** Whether `holder` names a process of this machine that no longer runs. */
export function isDeadLocalProcess(holder: string, self: string): boolean {
  const [host, pidText, instance] = holder.split("/");
  const [selfHost, selfPid, selfInstance] = self.split("/");
  if (host !== selfHost || instance === undefined) return false;
  // This process's pid: another trigger service of this process, or an earlier process that
  // had the same pid (in a container every start is pid 1) and is gone, since this one has it.
  if (pidText === selfPid) return instance !== selfInstance && !live.has(holder);
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: unknown }).code === "ESRCH";
  }
}

// Killing a server the way a container runtime does: every process it started, at once.
//
// A process group is not enough: PostgreSQL makes each backend the leader of its own process group (and
// session), so killing the postmaster's group leaves backends that still hold its shared memory, and the next
// postmaster refuses to start ("pre-existing shared memory block is still in use").
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { waitFor } from "../wait-for.js";

interface ProcessInfo {
  ppid: number;
  zombie: boolean;
}

/** pid → parent and state, from /proc on Linux, else from ps. */
function processTable(): Map<number, ProcessInfo> {
  const table = new Map<number, ProcessInfo>();
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    const ps = execFileSync("ps", ["-A", "-o", "pid=,ppid=,stat="], { encoding: "utf8" });
    for (const line of ps.trim().split("\n")) {
      const [pid, ppid, stat = ""] = line.trim().split(/\s+/);
      table.set(Number(pid), { ppid: Number(ppid), zombie: stat.startsWith("Z") });
    }
    return table;
  }
  for (const pid of entries) {
    try {
      // "pid (comm) state ppid …", where comm may itself contain spaces and parentheses
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      table.set(Number(pid), { ppid: Number(ppid), zombie: state === "Z" });
    } catch {
      // exited while we looked
    }
  }
  return table;
}

function descendants(root: number, table: Map<number, ProcessInfo>): number[] {
  const found: number[] = [];
  const queue = [root];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const [pid, info] of table) {
      if (info.ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/**
 * SIGKILLs `root` and all its descendants and waits until none of them runs any more. A zombie counts as gone:
 * it holds no memory, files or ports, and some init processes never reap orphans.
 */
export async function killTree(root: number): Promise<void> {
  signal(root, "SIGSTOP"); // a stopped parent forks no new children while we collect them
  const pids = [root, ...descendants(root, processTable())];
  for (const pid of pids) signal(pid, "SIGKILL");
  await waitFor(
    () => {
      const table = processTable();
      return pids.every((pid) => table.get(pid)?.zombie ?? true);
    },
    { timeoutMs: 10_000, intervalMs: 10, description: `processes ${pids.join(", ")} to exit after SIGKILL` },
  );
}

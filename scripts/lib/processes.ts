/**
 * Process listings for the scripts that must prove they leave nothing running (`pnpm dev --smoke` and its test).
 * `ps -A -o pid=,ppid=,stat=,args=` reads the same on Linux and macOS, so no /proc parsing is needed.
 */
import { execFileSync } from "node:child_process";

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** The command line, which tells a reused pid from the process we recorded. */
  args: string;
  zombie: boolean;
}

export function processTable(): ProcessEntry[] {
  const output = execFileSync("ps", ["-A", "-o", "pid=,ppid=,stat=,args="], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  return output
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, pid, ppid, stat, args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args!, zombie: stat!.startsWith("Z") }));
}

/** `root` and every process below it, from one listing. */
export function processTree(root: number, table = processTable()): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of table) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry]);
  const found = table.filter((entry) => entry.pid === root);
  for (let i = 0; i < found.length; i++) found.push(...(children.get(found[i]!.pid) ?? []));
  return found;
}

/**
 * Collects a process tree over time: processes come and go while the tree runs (a watcher restarts its app), and
 * an orphan is re-parented to init once its parent exits, after which no listing links it to the tree any more.
 */
export class ProcessRecorder {
  readonly #seen = new Map<string, ProcessEntry>();
  readonly #root: number;

  constructor(root: number) {
    this.#root = root;
  }

  record(): void {
    for (const entry of processTree(this.#root)) this.#seen.set(`${entry.pid} ${entry.args}`, entry);
  }

  get count(): number {
    return this.#seen.size;
  }

  /** The recorded processes that still run (same pid and command line); zombies hold nothing and count as gone. */
  survivors(table = processTable()): ProcessEntry[] {
    return table.filter((entry) => !entry.zombie && this.#seen.has(`${entry.pid} ${entry.args}`));
  }
}

/** One line per process, for messages: "12345 node dist/main.js". */
export function describeProcesses(entries: readonly ProcessEntry[]): string {
  return entries.map((entry) => `  ${entry.pid} ${entry.args.length > 160 ? `${entry.args.slice(0, 157)}...` : entry.args}`).join("\n");
}

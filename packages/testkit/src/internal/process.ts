// One server process: spawned in its own process group, output appended to a log file, tracked by the reaper.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readSync, fstatSync, writeSync } from "node:fs";
import { killTree } from "./process-tree.js";
import { trackProcessGroup, untrackProcessGroup } from "./reaper.js";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface SpawnOptions {
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user (only possible as root). */
  user?: { uid: number; gid: number };
}

export class ManagedProcess {
  readonly exited: Promise<Exit>;
  #child: ChildProcess;
  #running = true;

  constructor(command: string, args: readonly string[], options: SpawnOptions) {
    const log = openSync(options.logFile, "a");
    writeSync(log, `\n--- ${new Date().toISOString()} ${command} ${args.join(" ")}\n`);
    try {
      // detached: its own process group, so that a Ctrl-C meant for the test runner does not reach the server
      // (the reaper stops it) and the reaper can kill the group.
      this.#child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ["ignore", log, log],
        detached: true,
        ...options.user,
      });
    } finally {
      closeSync(log); // the child holds its own copy
    }
    const child = this.#child;
    const pid = child.pid;
    if (pid !== undefined) trackProcessGroup(pid);
    this.exited = new Promise<Exit>((resolve) => {
      const done = (exit: Exit): void => {
        this.#running = false;
        if (pid !== undefined) untrackProcessGroup(pid);
        resolve(exit);
      };
      child.once("exit", (code, signal) => done({ code, signal }));
      child.once("error", (error) => done({ code: null, signal: null, error }));
    });
    // Servers must not keep the test process alive on their own; waits below hold a reference while they last.
    child.unref();
  }

  get running(): boolean {
    return this.#running;
  }

  /** Sends a signal to the main process only (servers shut their own children down). */
  signal(signal: NodeJS.Signals): void {
    if (this.#running) this.#child.kill(signal);
  }

  /** SIGKILL to the process and everything it started; waits until all of them are gone. */
  async kill(): Promise<Exit> {
    if (this.#running && this.#child.pid !== undefined) await killTree(this.#child.pid);
    return this.wait();
  }

  /** Sends `signal`, waits up to `timeoutMs`, then kills. */
  async stop(signal: NodeJS.Signals, timeoutMs: number): Promise<Exit> {
    this.signal(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(resolve, timeoutMs, "timeout")));
    const result = await Promise.race([this.wait(), timedOut]);
    clearTimeout(timer);
    return result === "timeout" ? this.kill() : result;
  }

  async wait(): Promise<Exit> {
    this.#child.ref();
    try {
      return await this.exited;
    } finally {
      this.#child.unref();
    }
  }
}

export function describeExit(exit: Exit): string {
  if (exit.error) return exit.error.message;
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
}

/** The last `lines` lines of a log file (reads at most its last 64 KiB). */
export function logTail(file: string, lines = 20): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString("utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch (error) {
    return `(could not read ${file}: ${(error as Error).message})`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

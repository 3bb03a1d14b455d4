// Makes sure no server this process started outlives it, however it ends.
//
// Two layers: an `exit` handler covers normal exits and process.exit(); a small watchdog process covers the
// rest (SIGKILL, an unhandled SIGTERM from a test runner tearing down its workers). The watchdog reads
// registrations from a pipe; when the pipe closes because this process is gone, it kills what is still
// registered and deletes the temp dirs. Both kill each server's process group; PostgreSQL backends, which
// lead groups of their own, exit by themselves once their postmaster is gone.
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";

type Message = { op: "add" | "remove"; pgid: number } | { op: "add" | "remove"; dir: string };

const WATCHDOG = `
const { rmSync } = require("node:fs");
const pgids = new Set(), dirs = new Set();
for (const s of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(s, () => {});
let buffer = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  for (let i = buffer.indexOf("\\n"); i >= 0; i = buffer.indexOf("\\n")) {
    const m = JSON.parse(buffer.slice(0, i));
    buffer = buffer.slice(i + 1);
    const set = m.pgid === undefined ? dirs : pgids;
    const value = m.pgid === undefined ? m.dir : m.pgid;
    if (m.op === "add") set.add(value); else set.delete(value);
  }
});
process.stdin.on("end", () => {
  for (const pgid of pgids) { try { process.kill(-pgid, "SIGKILL"); } catch {} }
  setTimeout(() => {
    for (const dir of dirs) { try { rmSync(dir, { recursive: true, force: true }); } catch {} }
  }, 500);
});
`;

const pgids = new Set<number>();
const dirs = new Set<string>();
let watchdog: ChildProcess | undefined;

function send(message: Message): void {
  if (!watchdog) {
    // detached: a Ctrl-C sent to the terminal's process group must not reach the watchdog before it has done its job.
    watchdog = spawn(process.execPath, ["-e", WATCHDOG], { stdio: ["pipe", "ignore", "ignore"], detached: true });
    watchdog.on("error", () => {}); // best effort: the exit handler still runs on normal exits
    watchdog.stdin?.on("error", () => {});
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    process.once("exit", killAllNow);
  }
  watchdog.stdin?.write(`${JSON.stringify(message)}\n`);
}

function killAllNow(): void {
  for (const pgid of pgids) killGroup(pgid, "SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

export function trackProcessGroup(pgid: number): void {
  pgids.add(pgid);
  send({ op: "add", pgid });
}

export function untrackProcessGroup(pgid: number): void {
  if (pgids.delete(pgid)) send({ op: "remove", pgid });
}

export function trackDir(dir: string): void {
  dirs.add(dir);
  send({ op: "add", dir });
}

export function untrackDir(dir: string): void {
  if (dirs.delete(dir)) send({ op: "remove", dir });
}

// A server run from a local binary in a temp dir: the shared start/stop/kill/restart logic.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerHandle } from "../types.js";
import { waitFor } from "../wait-for.js";
import { describeExit, logTail, ManagedProcess } from "./process.js";
import { trackDir, untrackDir } from "./reaper.js";

export interface LocalServerSpec {
  /** For messages: "PostgreSQL". */
  name: string;
  /** The server's temp dir (from makeTempDir): holds its data and server.log, deleted by dispose(). */
  dir: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  user?: { uid: number; gid: number };
  /** The signal that makes the server shut down cleanly without waiting for clients. */
  stopSignal: NodeJS.Signals;
  /** One readiness probe: resolves when the server answers, throws otherwise. */
  ready(): Promise<void>;
  startTimeoutMs?: number;
}

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `folio-${prefix}-`));
  trackDir(dir);
  return dir;
}

/** Deletes a dir from makeTempDir (also when the server in it failed to start). */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  untrackDir(dir);
}

export class LocalServer implements ServerHandle {
  readonly source = "local" as const;
  readonly controllable = true;
  readonly logFile: string;
  #spec: LocalServerSpec;
  #process: ManagedProcess | undefined;
  #disposed = false;

  constructor(spec: LocalServerSpec) {
    this.#spec = spec;
    this.logFile = join(spec.dir, "server.log");
  }

  get running(): boolean {
    return this.#process?.running ?? false;
  }

  async start(): Promise<void> {
    if (this.#disposed) throw new Error(`this ${this.#spec.name} server was disposed; start a new one`);
    if (this.running) return;
    const { name, command, args, dir, env, user, ready, startTimeoutMs = 30_000 } = this.#spec;
    const child = new ManagedProcess(command, args, { logFile: this.logFile, cwd: dir, env, user });
    this.#process = child;
    let failure: string | undefined;
    try {
      const outcome = await waitFor(
        async () => {
          if (!child.running) return "exited";
          await ready();
          return "ready";
        },
        { timeoutMs: startTimeoutMs, intervalMs: 50, description: `${name} to accept connections` },
      );
      if (outcome === "exited") failure = describeExit(await child.exited);
    } catch (error) {
      failure = (error as Error).message;
    }
    if (failure !== undefined) {
      await child.kill();
      throw startupError(name, failure, this.logFile);
    }
  }

  async stop(): Promise<void> {
    await this.#process?.stop(this.#spec.stopSignal, 30_000);
  }

  async kill(): Promise<void> {
    await this.#process?.kill();
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.kill(); // the data is about to be deleted, so there is nothing to shut down cleanly
    removeTempDir(this.#spec.dir);
  }
}

export function startupError(name: string, reason: string, logFile: string): Error {
  return new Error(`${name} did not start: ${reason}\n--- last lines of ${logFile} ---\n${logTail(logFile)}`);
}

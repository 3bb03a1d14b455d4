/**
 * A Folio process started from its compiled entry point for tests (crash tests, browser tests): started,
 * stopped with SIGTERM, killed with SIGKILL, restarted with the same settings. Its last lines of output are
 * kept so that a failing test can show them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { waitFor } from "./wait-for.js";

/** A port that was free a moment ago, for a process that binds it itself. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export class ServiceProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<number | null> | undefined;
  #output: string[] = [];

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts (or starts again) `node <script>` with only PATH and the given environment. */
  start(): this {
    const child = spawn(process.execPath, [this.script], {
      env: { PATH: process.env.PATH ?? "", ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer) => {
      this.#output.push(...String(chunk).split("\n").filter(Boolean));
      if (this.#output.length > 400) this.#output.splice(0, this.#output.length - 400);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    this.#child = child;
    // "close", not "exit": it fires after the output pipes are drained.
    this.#exited = once(child, "close").then(([code]) => code as number | null);
    return this;
  }

  get exited(): Promise<number | null> {
    return this.#exited!;
  }

  /** SIGKILL, as the kernel's OOM killer or a node failure would; waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGKILL");
    await this.#exited;
  }

  /** SIGTERM, and the exit code once it is gone (SIGKILL, and null, after `timeoutMs`). */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.#exited!;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The last lines it printed, headed by its name, for failure messages. */
  output(lines = 40): string {
    return `--- ${this.name} ---\n${this.#output.slice(-lines).join("\n")}`;
  }
}

/**
 * Waits for `url` + "/readyz" to answer 200; fails early if the process exits, quoting its output. 60 s by default:
 * how long a start may take is not what these tests measure, and on a 2-core machine loaded with a parallel suite
 * and a kind cluster (load average 50) an API printed nothing for 30 s while it loaded its modules.
 */
export async function waitReady(url: string, service: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const exited = service.exited.then((code) => {
    throw new Error(`${service.name} exited with code ${code} before it was ready\n${service.output()}`);
  });
  const ready = waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
    timeoutMs,
    intervalMs: 100,
    description: `${service.name} to be ready`,
  }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${service.output()}`);
  });
  await Promise.race([ready, exited]);
}

/**
 * Real Folio processes for the browser tests, started from their compiled entry points (as the crash tests in
 * tests/crash do): output is kept so a failing test can show it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { waitFor } from "@folio/testkit";

const require = createRequire(import.meta.url);

/** A compiled entry point of an app, found through this package's workspace dev dependencies. */
export function entryPoint(pkg: "@folio/api" | "@folio/worker", file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), "dist", file);
}

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

  start(): this {
    const child = spawn(process.execPath, [this.script], { env: { PATH: process.env.PATH ?? "", ...this.env }, stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => {
      this.#output.push(...String(chunk).split("\n").filter(Boolean));
      if (this.#output.length > 300) this.#output.splice(0, this.#output.length - 300);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    this.#child = child;
    this.#exited = once(child, "close").then(([code]) => code as number | null);
    return this;
  }

  get exited(): Promise<number | null> {
    return this.#exited!;
  }

  /** SIGTERM, and the exit code once it is gone (SIGKILL after `timeoutMs`). */
  async stop(timeoutMs = 10_000): Promise<number | null> {
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

  output(lines = 40): string {
    return `--- ${this.name} ---\n${this.#output.slice(-lines).join("\n")}`;
  }
}

/** Waits for `url` + "/readyz" to answer 200; on timeout the error quotes the process's output. */
export async function waitReady(url: string, service: ServiceProcess, timeoutMs = 30_000): Promise<void> {
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

/**
 * Real Folio processes for crash tests: started from the compiled entry points, killed with SIGKILL or
 * stopped with SIGTERM, restarted with the same settings. Output is kept so a failing test can print it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createDatabase, startPostgres, startRedis, startS3, waitFor, type PostgresServer, type RedisOptions, type RedisServer, type S3Server } from "@folio/testkit";

const require = createRequire(import.meta.url);
/** Compiled entry points of an app package, found through the workspace dependency. */
export function entryPoint(pkg: "@folio/api" | "@folio/worker", file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), "dist", file);
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
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

  start(): void {
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
    this.#exited = once(child, "close").then(([code]) => code as number | null);
  }

  /** SIGKILL, as the kernel's OOM killer or a node failure would. */
  async kill(): Promise<void> {
    if (!this.#child || this.#child.exitCode !== null) return;
    this.#child.kill("SIGKILL");
    await this.#exited;
  }

  /** SIGTERM and the exit code. */
  async terminate(): Promise<number | null> {
    this.#child?.kill("SIGTERM");
    return this.#exited!;
  }

  get exited(): Promise<number | null> {
    return this.#exited!;
  }

  /** The last lines it printed, for failure messages. */
  output(lines = 40): string {
    return this.#output.slice(-lines).join("\n");
  }
}

export interface Stack {
  postgres: PostgresServer;
  redis: RedisServer;
  s3: S3Server;
  env: Record<string, string>;
  api: ServiceProcess;
  apiUrl: string;
  admin: { email: string; password: string };
  dispose(): Promise<void>;
}

/** Postgres, Redis and S3 of the test's own, a migrated database, and the API process (not yet started). */
export async function createStack(options: { redis?: RedisOptions; env?: Record<string, string> } = {}): Promise<Stack> {
  const [postgres, redis, s3] = await Promise.all([
    startPostgres({ allowExternal: false }),
    startRedis({ allowExternal: false, ...options.redis }),
    startS3({ allowExternal: false }),
  ]);
  const apiPort = await freePort();
  const admin = { email: "admin@folio.test", password: "crash test password" };
  const env: Record<string, string> = {
    DATABASE_URL: await createDatabase(postgres.url, "folio"),
    REDIS_URL: redis.url,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_BUCKET: `folio-crash-${randomBytes(3).toString("hex")}`,
    JWT_SECRET: randomBytes(32).toString("hex"),
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    LOG_LEVEL: "info",
    SHUTDOWN_DELAY_MS: "200",
    SHUTDOWN_TIMEOUT_MS: "10000",
    DATABASE_CONNECT_TIMEOUT_MS: "1000",
    SCHEMA_POLL_MS: "200",
    ...options.env,
  };
  const migrate = new ServiceProcess("migrate", entryPoint("@folio/api", "migrate.js"), env);
  migrate.start();
  const code = await migrate.exited;
  if (code !== 0) throw new Error(`migrations failed:\n${migrate.output()}`);
  const api = new ServiceProcess("api", entryPoint("@folio/api", "main.js"), { ...env, PORT: String(apiPort), HOST: "127.0.0.1" });
  return {
    postgres,
    redis,
    s3,
    env,
    api,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    admin,
    async dispose() {
      await api.kill();
      await Promise.allSettled([postgres.dispose(), redis.dispose(), s3.dispose()]);
    },
  };
}

export async function waitReady(url: string, what: ServiceProcess, timeoutMs = 20_000): Promise<void> {
  try {
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs, intervalMs: 100, description: `${what.name} to be ready` });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- ${what.name} output ---\n${what.output()}`);
  }
}

export async function login(apiUrl: string, admin: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${apiUrl}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(admin),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return `Bearer ${((await res.json()) as { token: string }).token}`;
}

/** Logs a step, so a failure explains what the test had done. */
export function step(message: string): void {
  console.log(`[crash] ${new Date().toISOString().slice(11, 23)} ${message}`);
}

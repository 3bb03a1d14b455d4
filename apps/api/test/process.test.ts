/**
 * The API as a real process: configuration errors, start-up before and after migrations, graceful shutdown.
 * Runs the compiled dist/main.js (turbo builds it before tests).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { request, type IncomingMessage } from "node:http";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, rawHttp, useTestServices, waitFor } from "@folio/testkit";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const MIGRATE = fileURLToPath(new URL("../dist/migrate.js", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  // "close", not "exit": it fires after the output pipes are drained.
  const exited = once(child, "close").then(([code]) => code as number | null);
  return { child, exited, output: () => output };
}

describe("configuration", () => {
  it("when several settings are missing or invalid, then the process exits 1 and lists every problem", async () => {
    const { exited, output } = run(MAIN, { PORT: "99999", DATABASE_URL: "mysql://nope", JWT_SECRET: "short", ADMIN_EMAIL: "admin@folio.test" });
    expect(await exited).toBe(1);
    const text = output();
    for (const key of ["PORT", "DATABASE_URL", "REDIS_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "JWT_SECRET", "ADMIN_PASSWORD"]) {
      expect(text, `expected ${key} in:\n${text}`).toContain(key);
    }
    expect(text).not.toMatch(/\n\s+at /); // a list of problems, not a stack trace
  });
});

describe("the API process", () => {
  let api: ReturnType<typeof run> | undefined;
  let env: Record<string, string>;
  let base: string;

  beforeAll(async () => {
    const services = useTestServices();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: await createDatabase(services.databaseUrl),
      REDIS_URL: services.redisUrl,
      S3_ENDPOINT: services.s3.endpoint,
      S3_REGION: services.s3.region,
      S3_ACCESS_KEY_ID: services.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: services.s3.secretAccessKey,
      S3_BUCKET: `folio-proc-${randomBytes(3).toString("hex")}`,
      JWT_SECRET: randomBytes(32).toString("hex"),
      ADMIN_EMAIL: "admin@folio.test",
      ADMIN_PASSWORD: "process test password",
      SCHEMA_POLL_MS: "200",
      SHUTDOWN_DELAY_MS: "300",
      SHUTDOWN_TIMEOUT_MS: "5000",
      LOG_LEVEL: "info",
    };
  });
  afterAll(() => {
    api?.child.kill("SIGKILL");
  });

  it("when the schema is not migrated, then it is alive but not ready; after the migrate job it becomes ready", async () => {
    api = run(MAIN, env);
    await waitFor(async () => (await fetch(`${base}/healthz`)).status === 200, { timeoutMs: 10_000, description: "healthz" });
    const readiness = async () => {
      const res = await fetch(`${base}/readyz`);
      return `${res.status} ${((await res.json()) as { reason?: string }).reason ?? ""}`;
    };
    await waitFor(async () => /^503 schema migrations pending/.test(await readiness()), { timeoutMs: 10_000, description: "readyz reporting pending migrations" });

    const migrate = run(MIGRATE, { PATH: process.env.PATH ?? "", DATABASE_URL: env.DATABASE_URL! });
    expect(await migrate.exited, migrate.output()).toBe(0);
    const again = run(MIGRATE, { PATH: process.env.PATH ?? "", DATABASE_URL: env.DATABASE_URL! });
    expect(await again.exited).toBe(0);
    expect(again.output()).toContain("schema already current");

    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs: 10_000, description: "readyz" });
    const login = await fetch(`${base}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    expect(api.output()).not.toContain(env.ADMIN_PASSWORD!);
    expect(api.output()).not.toContain(env.JWT_SECRET!);
  });

  it("when Node's HTTP parser refuses a request (headers too large), then the process answers 431 problem+json", async () => {
    const answer = await rawHttp(Number(env.PORT), `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(answer.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(answer.body)).toMatchObject({ status: 431, code: "headers_too_large" });
  });

  it("when SIGTERM arrives during a request, then readiness fails, the request completes, and the process exits 0", async () => {
    const child = api!.child as ChildProcess;
    const login = await fetch(`${base}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    // A request whose body arrives in two halves, with the SIGTERM in between: it is in flight for sure.
    const body = JSON.stringify({ title: "Written during shutdown" });
    const req = request(`${base}/v1/articles`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), authorization: `Bearer ${token}` },
    });
    const response = once(req, "response").then(([res]) => (res as IncomingMessage).statusCode);
    req.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const signalledAt = Date.now();
    child.kill("SIGTERM");
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 503, { timeoutMs: 2_000, description: "readyz to fail" });
    await new Promise((resolve) => setTimeout(resolve, 500)); // past SHUTDOWN_DELAY_MS: the server is closing now
    req.end(body.slice(10));
    expect(await response).toBe(201);
    expect(await api!.exited, api!.output().split("\n").filter((line) => line.includes("shutdown")).join("\n")).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    expect(api!.output()).toContain("shutdown complete");
  });

  it("when the database is unreachable, then the migrate job exits 1 after its bounded wait with a clear message", async () => {
    const port = await freePort();
    const migrate = run(MIGRATE, { PATH: process.env.PATH ?? "", DATABASE_URL: `postgres://nobody@127.0.0.1:${port}/none`, MIGRATE_WAIT_SECONDS: "2" });
    expect(await migrate.exited).toBe(1);
    expect(migrate.output()).toContain("database unreachable after 2s");
  });
});

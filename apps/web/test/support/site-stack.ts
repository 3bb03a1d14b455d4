/**
 * Everything the site needs, for real: a migrated database on the test run's PostgreSQL, Redis and S3 server
 * (@folio/testkit), then the API, the image worker and this package's own web server, each a separate process
 * started from its build. The site and the API are on different origins, so CORS is exercised as in production.
 */
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase, useTestServices } from "@folio/testkit";
import { ServiceProcess, entryPoint, freePort, waitReady } from "./processes.ts";

export interface SiteStack {
  siteUrl: string;
  apiUrl: string;
  /** The Redis the API reads node heartbeats and logs from (what the node agents write to). */
  redisUrl: string;
  admin: { email: string; password: string };
  api: ServiceProcess;
  worker: ServiceProcess;
  web: ServiceProcess;
  /** The last lines of every process, for a failing test. */
  output(): string;
  /** Stops the processes (SIGTERM) and returns their exit codes. */
  stop(): Promise<Record<string, number | null>>;
}

export async function startSiteStack(): Promise<SiteStack> {
  const services = useTestServices();
  const [apiPort, workerPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const siteUrl = `http://127.0.0.1:${webPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const admin = { email: "admin@folio.test", password: "browser test password" };
  const shared = {
    DATABASE_URL: await createDatabase(services.databaseUrl),
    REDIS_URL: services.redisUrl,
    S3_ENDPOINT: services.s3.endpoint,
    S3_REGION: services.s3.region,
    S3_ACCESS_KEY_ID: services.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: services.s3.secretAccessKey,
    S3_BUCKET: `folio-web-${randomBytes(3).toString("hex")}`,
    LOG_LEVEL: "info",
    SHUTDOWN_DELAY_MS: "0",
  };

  const migrate = new ServiceProcess("migrate", entryPoint("@folio/api", "migrate.js"), shared).start();
  if ((await migrate.exited) !== 0) throw new Error(`migrations failed\n${migrate.output()}`);

  const api = new ServiceProcess("api", entryPoint("@folio/api", "main.js"), {
    ...shared,
    HOST: "127.0.0.1",
    PORT: String(apiPort),
    JWT_SECRET: randomBytes(32).toString("hex"),
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    CORS_ORIGINS: siteUrl,
    SCHEMA_POLL_MS: "200",
  }).start();
  const worker = new ServiceProcess("worker", entryPoint("@folio/worker", "main.js"), {
    ...shared,
    WORKER_PORT: String(workerPort),
    SCRATCH_DIR: join(tmpdir(), `folio-web-worker-${workerPort}`),
    WORKER_DRAIN_TIMEOUT_MS: "3000",
    SHUTDOWN_TIMEOUT_MS: "8000",
    SCHEMA_POLL_MS: "200",
  }).start();
  const web = new ServiceProcess("web", fileURLToPath(new URL("../../dist/server/main.js", import.meta.url)), {
    HOST: "127.0.0.1",
    PORT: String(webPort),
    API_URL: apiUrl,
    LOG_LEVEL: "warn",
    SHUTDOWN_DELAY_MS: "0",
  }).start();
  const all = [api, worker, web];

  try {
    await Promise.all([waitReady(apiUrl, api), waitReady(`http://127.0.0.1:${workerPort}`, worker), waitReady(siteUrl, web)]);
  } catch (error) {
    await Promise.all(all.map((service) => service.stop(2_000)));
    throw error;
  }

  return {
    siteUrl,
    apiUrl,
    redisUrl: services.redisUrl,
    admin,
    api,
    worker,
    web,
    output: () => all.map((service) => service.output()).join("\n"),
    async stop() {
      const codes = await Promise.all(all.map((service) => service.stop()));
      return Object.fromEntries(all.map((service, index) => [service.name, codes[index] ?? null]));
    },
  };
}

/** Signs in through the API (for the "someone else" of a test) and returns "Bearer …". */
export async function apiLogin(apiUrl: string, user: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${apiUrl}/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(user) });
  if (res.status !== 200) throw new Error(`login as ${user.email} failed: ${res.status} ${await res.text()}`);
  return `Bearer ${((await res.json()) as { token: string }).token}`;
}

export async function apiCall<T>(apiUrl: string, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: token, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} failed: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

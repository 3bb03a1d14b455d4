/**
 * Real Folio processes for crash tests: started from the compiled entry points, killed with SIGKILL or
 * stopped with SIGTERM, restarted with the same settings. Output is kept so a failing test can print it.
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  ServiceProcess,
  createDatabase,
  freePort,
  startPostgres,
  startRedis,
  startS3,
  type PostgresServer,
  type RedisOptions,
  type RedisServer,
  type S3Server,
} from "@folio/testkit";

export { ServiceProcess, freePort, waitReady } from "@folio/testkit";

const require = createRequire(import.meta.url);
/** Compiled entry points of an app package, found through the workspace dependency. */
export function entryPoint(pkg: "@folio/api" | "@folio/worker", file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), "dist", file);
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

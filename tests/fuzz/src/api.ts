/**
 * The real API process for the fuzzer: migrated into a database of its own on the run's PostgreSQL, with its own
 * bucket, started from the compiled entry point as a pod would start it, and an admin to log in as.
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { ServiceProcess, createDatabase, freePort, waitReady, type FolioServices } from "@folio/testkit";

const require = createRequire(import.meta.url);
const apiDist = join(dirname(require.resolve("@folio/api/package.json")), "dist");

export interface RunningApi {
  url: string;
  process: ServiceProcess;
  admin: { email: string; password: string };
  stop(): Promise<void>;
}

export async function startApi(services: FolioServices): Promise<RunningApi> {
  const port = await freePort();
  const admin = { email: "fuzzer@folio.test", password: "fuzzer password 1234" };
  const env: Record<string, string> = {
    DATABASE_URL: await createDatabase(services.databaseUrl),
    REDIS_URL: services.redisUrl,
    S3_ENDPOINT: services.s3.endpoint,
    S3_REGION: services.s3.region,
    S3_ACCESS_KEY_ID: services.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: services.s3.secretAccessKey,
    S3_BUCKET: `folio-fuzz-${randomBytes(3).toString("hex")}`,
    JWT_SECRET: randomBytes(32).toString("hex"),
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    // Errors only: a 5xx is logged at error level, and the kept output is what a failing run prints.
    LOG_LEVEL: "error",
    HOST: "127.0.0.1",
    PORT: String(port),
    SHUTDOWN_DELAY_MS: "0",
  };
  const migrate = new ServiceProcess("migrate", join(apiDist, "migrate.js"), env).start();
  if ((await migrate.exited) !== 0) throw new Error(`migrations failed\n${migrate.output()}`);
  const api = new ServiceProcess("api", join(apiDist, "main.js"), env).start();
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, api);
  return {
    url,
    process: api,
    admin,
    async stop() {
      await api.stop(10_000);
    },
  };
}

export async function login(api: RunningApi): Promise<{ token: string; userId: string }> {
  const res = await fetch(`${api.url}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(api.admin),
  });
  if (res.status !== 200) throw new Error(`login as ${api.admin.email} failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: string; user: { id: string } };
  return { token: body.token, userId: body.user.id };
}

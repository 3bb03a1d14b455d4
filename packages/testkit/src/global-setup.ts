// Vitest global setup: one PostgreSQL, one Redis and one S3 server for the whole run, found or started as
// startPostgres/startRedis/startS3 describe, provided to test files as `folioServices` (see useTestServices).
//
//   // vitest.config.ts
//   export default defineConfig({ test: { globalSetup: ["@folio/testkit/global-setup"] } });
import type { TestProject } from "vitest/node";
import { startPostgres } from "./postgres.js";
import { startRedis } from "./redis.js";
import { startS3 } from "./s3.js";
import type { ServerHandle } from "./types.js";
import type { FolioServices } from "./vitest.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [postgres, redis, s3] = await Promise.allSettled([startPostgres(), startRedis(), startS3()]);
  const started = [postgres, redis, s3].flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const teardown = async (): Promise<void> => {
    await Promise.all(started.map((server: ServerHandle) => server.dispose()));
  };
  if (postgres.status === "rejected" || redis.status === "rejected" || s3.status === "rejected") {
    await teardown();
    const reasons = [postgres, redis, s3].flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
    throw new Error(reasons.map((reason) => (reason as Error).message).join("\n\n"));
  }
  const services: FolioServices = {
    databaseUrl: postgres.value.url,
    redisUrl: redis.value.url,
    s3: {
      endpoint: s3.value.endpoint,
      region: s3.value.region,
      accessKeyId: s3.value.accessKeyId,
      secretAccessKey: s3.value.secretAccessKey,
    },
  };
  project.provide("folioServices", services);
  return teardown;
}

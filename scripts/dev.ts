#!/usr/bin/env node
/**
 * pnpm dev: runs Folio locally with live reload.
 *
 * Uses the servers named in the environment (DATABASE_URL, REDIS_URL, S3_ENDPOINT with S3_ACCESS_KEY_ID and
 * S3_SECRET_ACCESS_KEY) or, for each one that is not set, starts a throwaway server exactly as the tests do
 * (@folio/testkit: local binaries, else Docker). Then it applies migrations and starts every app's `dev`
 * task through turbo. Ctrl-C stops the apps and the throwaway servers (their data is deleted).
 *
 * Usage: pnpm dev [--port 8080] [--web-port 5173]
 * Environment: DATABASE_URL, REDIS_URL, S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION,
 *   ADMIN_EMAIL (default admin@folio.localtest.me), ADMIN_PASSWORD (default: generated and printed).
 */
import { randomBytes } from "node:crypto";
import { $, argv, chalk, echo, spinner } from "zx";
import { createDatabase, startPostgres, startRedis, startS3, type ServerHandle } from "@folio/testkit";
import { checkNode, repoRoot } from "./lib/prerequisites.ts";

if (argv.help || argv.h) {
  echo(`Usage: pnpm dev [--port 8080] [--web-port 5173]\n\nStarts the site, the API and the worker against DATABASE_URL/REDIS_URL/S3_ENDPOINT or throwaway local servers.`);
  process.exit(0);
}

checkNode();
const root = repoRoot();
const port = String(argv.port ?? 8080);
const webPort = String(argv["web-port"] ?? 5173);
const started: ServerHandle[] = [];

async function cleanup() {
  await Promise.allSettled(started.map((server) => server.dispose()));
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    echo(chalk.dim(`\n${signal}: stopping the throwaway servers`));
    void cleanup().finally(() => (process.exitCode = 0));
  });
}

try {
  await spinner("building packages", () => $({ cwd: root })`pnpm turbo run build --filter=./apps/* --output-logs=errors-only`);

  const env: Record<string, string> = {};
  if (process.env.DATABASE_URL) {
    env.DATABASE_URL = process.env.DATABASE_URL;
  } else {
    const postgres = await spinner("starting PostgreSQL", () => startPostgres());
    started.push(postgres);
    env.DATABASE_URL = await createDatabase(postgres.url, "folio_dev");
  }
  if (process.env.REDIS_URL) {
    env.REDIS_URL = process.env.REDIS_URL;
  } else {
    const redis = await spinner("starting Redis", () => startRedis({ appendonly: true }));
    started.push(redis);
    env.REDIS_URL = redis.url;
  }
  if (process.env.S3_ENDPOINT) {
    env.S3_ENDPOINT = process.env.S3_ENDPOINT;
  } else {
    const s3 = await spinner("starting the S3 server", () => startS3());
    started.push(s3);
    Object.assign(env, { S3_ENDPOINT: s3.endpoint, S3_REGION: s3.region, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey });
  }
  const adminEmail = process.env.ADMIN_EMAIL ?? "admin@folio.localtest.me";
  const adminPassword = process.env.ADMIN_PASSWORD ?? randomBytes(9).toString("base64url");
  Object.assign(env, {
    PORT: port,
    JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString("hex"),
    ADMIN_EMAIL: adminEmail,
    ADMIN_PASSWORD: adminPassword,
    CORS_ORIGINS: process.env.CORS_ORIGINS ?? `http://localhost:${webPort}`,
    API_URL: `http://localhost:${port}`, // for the web app's dev server
    WEB_PORT: webPort,
    SHUTDOWN_DELAY_MS: "0",
  });

  await spinner("applying migrations", () => $({ cwd: root, env: { ...process.env, ...env } })`node apps/api/dist/migrate.js`);

  echo("");
  echo(`${chalk.bold("Folio site")}  http://localhost:${webPort}   (editor: http://localhost:${webPort}/editor)`);
  echo(`${chalk.bold("Folio API")}   http://localhost:${port}   (OpenAPI: http://localhost:${port}/v1/openapi.json)`);
  echo(`${chalk.bold("Admin")}       ${adminEmail} / ${adminPassword}`);
  echo(chalk.dim(`Database    ${env.DATABASE_URL!.replace(/:[^:@/]+@/, ":***@")}`));
  echo(chalk.dim("Ctrl-C stops everything.\n"));

  await $({ cwd: root, env: { ...process.env, ...env }, stdio: "inherit", nothrow: true })`pnpm turbo run dev --filter=./apps/* --ui=stream`;
} catch (error) {
  echo(chalk.red(`dev: ${error instanceof Error ? error.message : String(error)}`));
  process.exitCode = 1;
} finally {
  await cleanup();
}

#!/usr/bin/env node
/**
 * pnpm dev: runs Folio locally with live reload.
 *
 * Uses the servers named in the environment (DATABASE_URL, REDIS_URL, S3_ENDPOINT with S3_ACCESS_KEY_ID and
 * S3_SECRET_ACCESS_KEY) or, for each one that is not set, starts a throwaway server exactly as the tests do
 * (@folio/testkit: local binaries, else Docker). Then it applies migrations and starts every app's `dev`
 * task through turbo. Ctrl-C stops the apps, then the throwaway servers (their data is deleted).
 *
 * With --smoke it checks all of that instead of waiting for Ctrl-C (lib/dev-smoke.ts): CI runs
 * `pnpm dev --smoke` on a fresh clone, before anything else has built the tree.
 *
 * Usage: pnpm dev [--port 8080] [--web-port 5173] [--worker-port 8081] [--smoke [--timeout 900]]
 * Environment: DATABASE_URL, REDIS_URL, S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION,
 *   ADMIN_EMAIL (default admin@folio.localtest.me), ADMIN_PASSWORD (default: generated and printed).
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { $, argv, chalk, echo, spinner, type ProcessPromise } from "zx";
// A type-only import is erased when Node strips the types, so it needs no build. The testkit's code is imported
// after the build step below: it runs from packages/testkit/dist, which a fresh clone does not have yet.
import type { ServerHandle } from "@folio/testkit";
import { runSmoke } from "./lib/dev-smoke.ts";
import { checkNode, repoRoot } from "./lib/prerequisites.ts";

const HELP = `Usage: pnpm dev [--port 8080] [--web-port 5173] [--worker-port 8081] [--smoke [--timeout 900]]

Starts the site, the API and the worker with live reload, against DATABASE_URL/REDIS_URL/S3_ENDPOINT or
throwaway local servers. Ctrl-C stops everything.

Options:
  --port PORT         the API (default 8080)
  --web-port PORT     the site, Vite's dev server (default 5173)
  --worker-port PORT  the worker's probes and metrics (default 8081)
  --smoke             start as above (on free ports unless given), wait until the API, the site and the worker
                      answer, sign in with the printed login, load the site, press Ctrl-C and check with a
                      process listing that nothing is left running; exit 0 when all of that worked
  --timeout SECONDS   with --smoke: how long the start may take, build included (default 900: a fresh
                      clone on a busy 2-core machine took 521 s, mostly building)
  --help              this text`;

if (argv.help || argv.h) {
  echo(HELP);
  process.exit(0);
}

checkNode();
const root = repoRoot();

if (argv.smoke) {
  process.exitCode = await runSmoke({
    root,
    script: fileURLToPath(import.meta.url),
    ports: {
      api: Number(argv.port ?? (await freePort())),
      web: Number(argv["web-port"] ?? (await freePort())),
      worker: Number(argv["worker-port"] ?? (await freePort())),
    },
    timeoutMs: Number(argv.timeout ?? 900) * 1000,
  });
} else {
  await dev(String(argv.port ?? 8080), String(argv["web-port"] ?? 5173), String(argv["worker-port"] ?? 8081));
}

async function dev(port: string, webPort: string, workerPort: string): Promise<void> {
  const started: ServerHandle[] = [];
  let apps: ProcessPromise | undefined;
  let stopping = false;
  const cleanup = () => Promise.allSettled(started.map((server) => server.dispose()));

  // Ctrl-C reaches turbo too (the terminal signals its whole foreground process group), and turbo stops the apps.
  // The servers go only after that, so no app sees its database vanish while it drains. A second signal, or a
  // SIGTERM meant for this script alone, is passed on to every process below it.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping || signal === "SIGTERM") void apps?.kill(stopping ? "SIGKILL" : "SIGINT");
      if (!stopping) echo(chalk.dim(`\n${signal}: stopping the apps, then the throwaway servers`));
      stopping = true;
      if (!apps) void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    // Everything the apps' dev tasks and this script load from a dist/ folder, built before it is imported.
    await spinner("building packages", () =>
      $({ cwd: root })`pnpm turbo run build --filter=./apps/* --filter=@folio/testkit --output-logs=errors-only`,
    );
    const { createDatabase, startPostgres, startRedis, startS3 } = await import("@folio/testkit");

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
      WORKER_PORT: workerPort,
      SHUTDOWN_DELAY_MS: "0",
    });
    if (stopping) return;

    await spinner("applying migrations", () => $({ cwd: root, env: { ...process.env, ...env } })`node apps/api/dist/migrate.js`);

    echo("");
    echo(`${chalk.bold("Folio site")}  http://localhost:${webPort}   (editor: http://localhost:${webPort}/editor)`);
    echo(`${chalk.bold("Folio API")}   http://localhost:${port}   (OpenAPI: http://localhost:${port}/v1/openapi.json)`);
    echo(`${chalk.bold("Admin")}       ${adminEmail} / ${adminPassword}`);
    echo(chalk.dim(`Worker      http://localhost:${workerPort}/metrics`));
    echo(chalk.dim(`Database    ${env.DATABASE_URL!.replace(/:[^:@/]+@/, ":***@")}`));
    echo(chalk.dim("Ctrl-C stops everything.\n"));
    if (stopping) return;

    apps = $({ cwd: root, env: { ...process.env, ...env }, stdio: "inherit", nothrow: true })`pnpm turbo run dev --filter=./apps/* --ui=stream`;
    const result = await apps;
    if (!stopping) {
      // An app's dev task ended by itself (a port in use, a crash turbo gave up on): its output says why.
      echo(chalk.red(`dev: the apps stopped by themselves (turbo exited with ${result.exitCode ?? result.signal})`));
      process.exitCode = 1;
    }
  } catch (error) {
    echo(chalk.red(`dev: ${error instanceof Error ? error.message : String(error)}`));
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

/** A port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

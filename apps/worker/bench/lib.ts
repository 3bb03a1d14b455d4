/**
 * What both worker benchmarks share: real PostgreSQL, Redis and S3 servers from @folio/testkit, a migrated
 * database, compiled Folio processes spawned as in production, test images made with sharp, and a way to see
 * when media is ready. Everything started here is stopped by cleanup().
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import pg from "pg";
import sharp from "sharp";
import { runMigrations } from "@folio/db";
import { createLogger } from "@folio/logger";
import { createDatabase, startPostgres, startRedis, startS3, waitFor, type ServerHandle } from "@folio/testkit";

export const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const servers: ServerHandle[] = [];
const children: ChildProcess[] = [];

export interface Backends {
  databaseUrl: string;
  redisUrl: string;
  s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  /** Settings every Folio process of the run shares. */
  env: Record<string, string>;
}

export async function startBackends(): Promise<Backends> {
  const [postgres, redis, s3] = await Promise.all([startPostgres(), startRedis(), startS3()]);
  servers.push(postgres, redis, s3);
  const databaseUrl = await createDatabase(postgres.url);
  const silent = createLogger({ name: "bench", level: "silent" }, new Writable({ write: (_c, _e, done) => done() }));
  await runMigrations(databaseUrl, silent);
  return {
    databaseUrl,
    redisUrl: redis.url,
    s3,
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_BUCKET: `folio-bench-${randomBytes(3).toString("hex")}`,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a compiled Folio entry point; its logs are dropped, its errors shown. */
export function startProcess(script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  children.push(child);
  return child;
}

export async function waitReady(baseUrl: string, what: string): Promise<void> {
  await waitFor(async () => (await fetch(`${baseUrl}/readyz`)).ok, { timeoutMs: 30_000, description: `${what} to be ready` });
}

/**
 * A photograph-like JPEG: a smooth four-colour gradient plus noise, so the encoders work about as hard as on a
 * real photo (a flat image would compress to nothing and make every step look cheap). Made from raw pixels,
 * so it works after configureSharp() has blocked the loaders.
 */
export async function photo(width: number, height: number, seed: number): Promise<Buffer> {
  const corners = Buffer.from(Array.from({ length: 12 }, (_, i) => (seed * 97 + i * 61) % 256));
  const gradient = await sharp(corners, { raw: { width: 2, height: 2, channels: 3 } })
    .resize(width, height, { kernel: "cubic" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return sharp(gradient.data, { raw: gradient.info })
    .composite([{ input: { create: { width, height, channels: 3, background: "#000", noise: { type: "gaussian", mean: 0, sigma: 18 } } }, blend: "add" }])
    .blur(0.6)
    .jpeg({ quality: 88 })
    .toBuffer();
}

/** Resolves when every id in `ids` has left `pending`; throws if any of them failed. */
export async function waitUntilReady(databaseUrl: string, ids: string[], timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await waitFor(
      async () => {
        const { rows } = await client.query<{ status: string; count: number }>(
          "SELECT status, count(*)::int AS count FROM media WHERE id = ANY($1::uuid[]) GROUP BY status",
          [ids],
        );
        const failed = rows.find((row) => row.status === "failed");
        if (failed) throw new Error(`${failed.count} media failed`);
        return rows.find((row) => row.status === "ready")?.count === ids.length;
      },
      { timeoutMs, intervalMs: 25, description: `${ids.length} media to be ready` },
    );
  } finally {
    await client.end();
  }
}

/** CPU time (user + system, every thread) a process has used so far, in seconds. Linux only. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // After "pid (comm) ", fields start at field 3; utime and stime are fields 14 and 15, in 1/100 s (USER_HZ).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function cleanup(): Promise<void> {
  for (const child of children) child.kill("SIGTERM");
  await Promise.allSettled(servers.map((server) => server.dispose()));
}

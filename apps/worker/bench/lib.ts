/**
 * What both worker benchmarks share: real PostgreSQL, Redis and S3 servers from @folio/testkit, a migrated
 * database, compiled Folio processes spawned as in production, test images made with sharp, and a way to see
 * when media is ready. Everything started here is stopped by cleanup().
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { promisify } from "node:util";
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
  const nodeOptions = process.env.BENCH_CHILD_NODE_OPTIONS; // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
    stdio: ["ignore", "ignore", "inherit"],
  });
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

/** `pid` and every process descended from it, from the parent ids in /proc/<pid>/stat. Linux only. */
export async function processTree(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => ""); // it may have exited meanwhile
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (!parents.has(parent)) parents.set(parent, []);
    parents.get(parent)!.push(Number(entry));
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []));
  return tree;
}

/**
 * Restricts every thread of the given processes to a CPU list ("0", "1-3"), as a CPU limit would, with
 * taskset(1) from util-linux. Threads created later inherit the mask of the thread that creates them.
 */
export async function pinToCpus(pids: number[], cpus: string): Promise<void> {
  for (const pid of pids) {
    await promisify(execFile)("taskset", ["--all-tasks", "--cpu-list", "--pid", cpus, String(pid)]).catch((error: unknown) => {
      // A process that exited since it was listed (a finished PostgreSQL backend) is fine; anything else is not.
      if (!String(error).includes("No such process")) throw new Error(`taskset failed (install util-linux): ${String(error)}`);
    });
  }
}

/**
 * Splits the CPUs this process may use (its affinity, which a container's cpuset narrows) in two: the first
 * one reserved for the code under test, the others for everything else. Needs at least 2 CPUs.
 */
export async function cpuSplit(): Promise<{ reserved: string; rest: string; all: string }> {
  const { stdout } = await promisify(execFile)("taskset", ["--cpu-list", "--pid", String(process.pid)]).catch((error: unknown) => {
    throw new Error(`taskset failed (install util-linux): ${String(error)}`);
  });
  const all = stdout.slice(stdout.lastIndexOf(":") + 1).trim(); // "pid 123's current affinity list: 0-3"
  const cpus = all.split(",").flatMap((range) => {
    const [first, last = first] = range.split("-").map(Number) as [number, number?];
    return Array.from({ length: last! - first + 1 }, (_, i) => first + i);
  });
  if (cpus.length < 2) throw new Error(`this benchmark needs at least 2 CPUs, to give the code under test one of its own; it may use ${all}`);
  return { reserved: String(cpus[0]), rest: cpus.slice(1).join(","), all };
}

export async function cleanup(): Promise<void> {
  for (const child of children) child.kill("SIGTERM");
  await Promise.allSettled(servers.map((server) => server.dispose()));
}

/**
 * The job as a real process (the compiled dist/main.js, which turbo builds before tests): exit codes, the
 * summary line, --dry-run, two runs at once, SIGTERM in the middle of a batch, a second signal, an unreachable
 * database or Redis.
 *
 * To catch a run in the middle of a batch without racing it, the test holds a row lock on one of the articles
 * the run is about to delete: the run's DELETE waits on it (visible in pg_stat_activity) until the test lets go.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "@folio/testkit";
import { configSchema } from "../src/config.js";
import { DAY, createArticle, createHarness, createIdempotencyKeys, createUser, type Harness } from "./harness.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

interface Summary {
  dryRun: boolean;
  skipped: boolean;
  interrupted: boolean;
  failed: string[];
  error?: string;
  durationMs: number;
  counts: Record<string, number>;
}

function run(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  // "close", not "exit": it fires after the output pipes are drained.
  const exited = once(child, "close").then(([code]) => code as number | null);
  return {
    child,
    exited,
    output: () => stdout + stderr,
    /** The last line on stdout, which is the summary (every line before it is a pino log line). */
    summary: (): Summary => JSON.parse(stdout.trimEnd().split("\n").at(-1) ?? "null") as Summary,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let harness: Harness;
let env: Record<string, string>;
let userId: string;

beforeAll(async () => {
  harness = await createHarness(2);
  env = { ...harness.env, LOG_LEVEL: "info" };
});
afterAll(() => harness.close());
beforeEach(async () => {
  await harness.reset();
  userId = await createUser(harness.pool);
});

/** Articles trashed 31 days ago, a minute apart, returned oldest first (the order the run deletes them in). */
async function expiredTrash(count: number): Promise<string[]> {
  const ids = [];
  for (let i = 0; i < count; i++) ids.push(await createArticle(harness.pool, userId, "trashed", new Date(Date.now() - 31 * DAY - (count - i) * 60_000)));
  return ids;
}

async function articleCount(): Promise<number> {
  return (await harness.pool.query("SELECT 1 FROM articles")).rowCount ?? 0;
}

/**
 * Locks one article row in a transaction of the test's own, and waits until a cleanup process is blocked on it.
 * Returns the function that lets go.
 */
async function holdRow(articleId: string, whileHeld: () => Promise<void> | void = () => {}): Promise<() => Promise<void>> {
  const client = await harness.pool.connect();
  await client.query("BEGIN");
  await client.query("SELECT 1 FROM articles WHERE id = $1 FOR UPDATE", [articleId]);
  await whileHeld();
  return async () => {
    await client.query("ROLLBACK");
    client.release();
  };
}

/** Starts a run and returns it once it waits on a row the test holds (see holdRow). */
async function blockedRun(runEnv: Record<string, string>): Promise<ReturnType<typeof run>> {
  const job = run(runEnv);
  await waitFor(blockedCleanup, { description: "the run to wait on the locked row" });
  return job;
}

async function blockedCleanup(): Promise<boolean> {
  const { rows } = await harness.pool.query(
    "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'folio-cleanup' AND wait_event_type = 'Lock'",
  );
  return rows.length > 0;
}

describe("configuration and arguments", () => {
  it("when settings are missing or invalid, then the process exits 1 and lists every problem without a stack trace", async () => {
    const job = run({ DATABASE_URL: "mysql://nope", BATCH_SIZE: "0", TRASH_RETENTION_DAYS: "soon", CLEANUP_DRY_RUN: "maybe" });
    expect(await job.exited).toBe(1);
    for (const key of ["DATABASE_URL", "REDIS_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "BATCH_SIZE", "TRASH_RETENTION_DAYS", "CLEANUP_DRY_RUN"]) {
      expect(job.output(), `expected ${key} in:\n${job.output()}`).toContain(key);
    }
    expect(job.output()).not.toMatch(/\n\s+at /);
  });

  it("when asked for --help, then it prints the usage with every setting and exits 0", async () => {
    const job = run({}, ["--help"]);
    expect(await job.exited).toBe(0);
    for (const key of Object.keys(configSchema.shape)) expect(job.output()).toContain(key);
    expect(job.output()).toContain("--dry-run");
  });

  it("when given an unknown option, then it exits 1 naming it", async () => {
    const job = run(env, ["--dryrun"]);
    expect(await job.exited).toBe(1);
    expect(job.output()).toContain("Unknown option '--dryrun'");
  });
});

describe("a run", () => {
  it("when run with --dry-run and then without, then the first changes nothing and both report the same counts", async () => {
    await expiredTrash(3);
    await createIdempotencyKeys(harness.pool, userId, { live: 1, expired: 2 });

    const dry = run(env, ["--dry-run"]);
    expect(await dry.exited, dry.output()).toBe(0);
    expect(await articleCount()).toBe(3);
    const real = run({ ...env, BATCH_SIZE: "2" });
    expect(await real.exited, real.output()).toBe(0);

    expect(dry.summary()).toMatchObject({ dryRun: true, skipped: false, interrupted: false, failed: [] });
    expect(real.summary()).toMatchObject({ dryRun: false, skipped: false, interrupted: false, failed: [] });
    expect(dry.summary().counts).toEqual(real.summary().counts);
    expect(real.summary().counts).toMatchObject({ trashedArticles: 3, expiredIdempotencyKeys: 2, orphanObjects: 0 });
    expect(real.summary().durationMs).toBeGreaterThan(0);
    expect(await articleCount()).toBe(0);
    expect(real.output()).not.toContain(env.S3_SECRET_ACCESS_KEY!);
  });

  it("when a second run starts while one is running, then the second skips with exit 0 and the first finishes", async () => {
    const trash = await expiredTrash(3);
    let first!: ReturnType<typeof run>;
    const release = await holdRow(trash[0]!, async () => {
      first = run(env);
      await waitFor(blockedCleanup, { description: "the first run to wait on the locked row" });
    });

    const second = run(env);
    expect(await second.exited, second.output()).toBe(0);
    await release();
    expect(await first.exited, first.output()).toBe(0);

    expect(second.summary()).toMatchObject({ skipped: true, counts: { trashedArticles: 0 } });
    expect(second.output()).toContain("another cleanup run holds the lock");
    expect(first.summary()).toMatchObject({ skipped: false, counts: { trashedArticles: 3 } });
  });

  it("when SIGTERM arrives during a batch, then the batch completes, the summary says interrupted, it exits 143, and the next run finishes", async () => {
    const trash = await expiredTrash(6);
    let job!: ReturnType<typeof run>;
    // Batches of two: the third article is in the second batch.
    const release = await holdRow(trash[2]!, async () => {
      job = await blockedRun({ ...env, BATCH_SIZE: "2" });
      job.child.kill("SIGTERM");
      await waitFor(() => job.output().includes("stopping after the current batch"), { description: "the run to acknowledge SIGTERM" });
    });
    await release();

    expect(await job.exited, job.output()).toBe(143);
    expect(job.summary()).toMatchObject({ interrupted: true, failed: [], counts: { trashedArticles: 4 } });
    expect(await articleCount()).toBe(2);
    const next = run(env);
    expect(await next.exited, next.output()).toBe(0);
    expect(next.summary()).toMatchObject({ interrupted: false, counts: { trashedArticles: 2 } });
    expect(await articleCount()).toBe(0);
  });

  it("when the batch is still stuck SHUTDOWN_TIMEOUT_MS after SIGTERM, then it exits 1 without waiting longer", async () => {
    const trash = await expiredTrash(1);
    let job!: ReturnType<typeof run>;
    let signalledAt = 0;
    const release = await holdRow(trash[0]!, async () => {
      job = await blockedRun({ ...env, SHUTDOWN_TIMEOUT_MS: "300" });
      signalledAt = Date.now();
      job.child.kill("SIGTERM");
      expect(await job.exited, job.output()).toBe(1);
    });
    await release();

    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    expect(job.output()).toContain("the current batch did not finish in time");
  });

  it("when a second signal arrives while the batch is stuck, then it exits 1 at once without a summary", async () => {
    const trash = await expiredTrash(1);
    let job!: ReturnType<typeof run>;
    let secondAt = 0;
    const release = await holdRow(trash[0]!, async () => {
      job = await blockedRun({ ...env, SHUTDOWN_TIMEOUT_MS: "60000" });
      job.child.kill("SIGTERM");
      await waitFor(() => job.output().includes("stopping after the current batch"), { description: "the run to acknowledge SIGTERM" });
      secondAt = Date.now();
      job.child.kill("SIGINT");
      expect(await job.exited, job.output()).toBe(1);
    });
    await release();

    expect(Date.now() - secondAt).toBeLessThan(5_000); // not the 60 s deadline
    expect(job.output()).toContain("second signal; exiting now without a summary");
    expect(job.output()).not.toContain('"durationMs"');
    // PostgreSQL finishes a statement whose client has gone (it notices only when it answers), so the stuck batch
    // may or may not have committed; either way the next run finishes the work.
    const next = run(env);
    expect(await next.exited, next.output()).toBe(0);
    expect(await articleCount()).toBe(0);
  });

  it("when Redis is unreachable, then every other purge still runs, the queue purge is reported failed, and it exits 1", async () => {
    await expiredTrash(2);
    await createIdempotencyKeys(harness.pool, userId, { live: 1, expired: 2 });
    const port = await freePort();
    const started = Date.now();
    const job = run({ ...env, REDIS_URL: `redis://127.0.0.1:${port}` });

    expect(await job.exited, job.output()).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(job.summary()).toMatchObject({ failed: ["finishedJobs"], interrupted: false, counts: { trashedArticles: 2, expiredIdempotencyKeys: 2 } });
    expect(job.output()).toContain("purge failed; going on with the next one");
    expect(await articleCount()).toBe(0);
  });

  it("when the database is unreachable, then it exits 1 after DATABASE_WAIT_SECONDS with a readable message", async () => {
    const port = await freePort();
    const started = Date.now();
    const job = run({ ...env, DATABASE_URL: `postgres://nobody@127.0.0.1:${port}/none`, DATABASE_WAIT_SECONDS: "1" });

    expect(await job.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(job.output()).toContain("database unreachable after 1s");
    expect(job.summary()).toMatchObject({ error: "database unreachable after 1s", skipped: false });
  });
});

/**
 * The worker as a real process: configuration errors, start-up, a job end to end, the reconciler, and a graceful
 * shutdown while jobs run. Runs the compiled dist/main.js (turbo builds it before tests).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaRepo } from "@folio/db";
import { rawHttp, waitFor } from "@folio/testkit";
import { createHarness, type Harness } from "./harness.js";
import { makeJpeg } from "./images.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  // "close", not "exit": it fires after the output pipes are drained.
  const exited = once(child, "close").then(([code]) => code as number | null);
  return { child, exited, output: () => output };
}

describe("configuration", () => {
  it("when several settings are missing or invalid, then the process exits 1 and lists every problem", async () => {
    const { exited, output } = run({ WORKER_PORT: "0", DATABASE_URL: "mysql://nope", WORKER_CONCURRENCY: "none" });

    expect(await exited).toBe(1);
    const text = output();
    for (const key of ["WORKER_PORT", "DATABASE_URL", "REDIS_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "WORKER_CONCURRENCY"]) {
      expect(text, `expected ${key} in:\n${text}`).toContain(key);
    }
    expect(text).not.toMatch(/\n\s+at /); // a list of problems, not a stack trace
  });
});

describe("the worker process", () => {
  let h: Harness;
  let env: Record<string, string>;
  let base: string;
  let scratchDir: string;
  let worker: ReturnType<typeof run> | undefined;

  beforeAll(async () => {
    h = await createHarness();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    scratchDir = await mkdtemp(join(tmpdir(), "folio-worker-process-"));
    const { s3 } = (await import("@folio/testkit")).useTestServices();
    env = {
      WORKER_PORT: String(port),
      DATABASE_URL: h.databaseUrl,
      REDIS_URL: h.redisUrl,
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_BUCKET: h.storage.bucket,
      SCRATCH_DIR: scratchDir,
      RECONCILE_INTERVAL_MS: "300",
      RECONCILE_PENDING_AFTER_MS: "1000",
      WORKER_DRAIN_TIMEOUT_MS: "8000",
      SHUTDOWN_TIMEOUT_MS: "10000",
      LOG_LEVEL: "info",
    };
  });
  afterAll(async () => {
    worker?.child.kill("SIGKILL");
    await h?.close();
    await rm(scratchDir, { recursive: true, force: true });
  });

  it("when started, then it empties its scratch directory, becomes ready, and processes an enqueued image end to end", async () => {
    await writeFile(join(scratchDir, "left-by-a-killed-process"), "bytes");
    worker = run(env);
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs: 10_000, description: "readyz" });
    expect(await readdir(scratchDir)).toEqual([]);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // What Node's HTTP parser refuses is answered with a problem too (answerClientErrors in main.ts).
    const refused = await rawHttp(Number(new URL(base).port), "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n");
    expect(refused.status).toBe(400);
    expect(refused.headers["content-type"]).toBe("application/problem+json");

    const mediaId = await h.createMedia(await makeJpeg({ width: 1600, height: 1200 }));
    await h.enqueue(mediaId);

    expect(await h.settled(mediaId)).toMatchObject({ status: "ready", width: 1600, height: 1200 });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^folio_worker_jobs_total\{result="ready",service="worker"\} 1$/m);
    expect(metrics).toMatch(/^folio_queue_jobs\{queue="media",state="completed",service="worker"\} 1$/m);
    expect(metrics).toMatch(/^folio_worker_job_duration_seconds_count\{service="worker",result="ready"\} 1$/m);
  });

  it("when media is left pending without a job, then the reconciler enqueues it and it becomes ready", async () => {
    const mediaId = await h.createMedia(await makeJpeg({ width: 640, height: 480 }));

    expect(await h.settled(mediaId, 10_000)).toMatchObject({ status: "ready" });
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^folio_reconciler_reenqueued_total\{previous="none",service="worker"\} 1$/m);
  });

  it("when SIGTERM arrives while jobs run, then readiness fails, running jobs finish, the rest stay queued, and it exits 0 in time; a new process does the rest", async () => {
    const big = await makeJpeg({ width: 4000, height: 3000 });
    const ids = await Promise.all(Array.from({ length: 4 }, () => h.createMedia(big)));
    for (const id of ids) await h.enqueue(id);
    await waitFor(async () => ((await h.queue.getJobCounts("active")).active ?? 0) > 0, { intervalMs: 10, description: "a job to be active" });

    const signalledAt = Date.now();
    worker!.child.kill("SIGTERM");
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 503, { timeoutMs: 2_000, intervalMs: 20, description: "readyz to fail" });
    const code = await worker!.exited;
    const elapsed = Date.now() - signalledAt;

    expect(code, worker!.output()).toBe(0);
    expect(elapsed).toBeLessThan(10_000);
    expect(worker!.output()).toContain("shutdown complete");
    expect(worker!.output()).not.toContain("drain deadline");
    // No job lost: each image is ready, or its job waits in the queue for the next worker.
    const states = await Promise.all(ids.map(async (id) => [(await mediaRepo.findById(h.pool, id))?.status, await (await h.job(id))?.getState()]));
    for (const [status, jobState] of states) expect(status === "ready" || (status === "pending" && jobState === "waiting"), `${status}/${jobState}`).toBe(true);
    expect(states.some(([status]) => status === "ready")).toBe(true);
    expect(await readdir(scratchDir)).toEqual([]);

    worker = run(env);
    for (const id of ids) expect((await h.settled(id, 20_000)).status).toBe("ready");
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
  });
});

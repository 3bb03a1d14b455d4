/**
 * Benchmark: the worker's peak memory while it processes 12-megapixel photos (4000×3000 JPEGs) two at a time.
 * Target (issue #3): resident set size (RSS) under 300 MB.
 *
 * The worker runs as in production (dist/main.js, WORKER_CONCURRENCY=2) against real PostgreSQL, Redis and S3
 * servers from @folio/testkit. The originals are stored and enqueued directly, as the API would, and
 * /proc/<pid>/status is read every 20 ms while the jobs run: VmRSS sampled, and VmHWM, the kernel's own
 * high-water mark of RSS since the process started, which no sample can miss.
 *
 * Usage: pnpm --filter @folio/worker bench:memory [--images 10 --format jpeg|png]
 *   (build first: pnpm turbo run build --filter=@folio/worker)
 *   --format png stores the same pixels as PNG, which libvips cannot shrink while decoding: the worst case.
 * Prints a table and a JSON line; exits 1 when the target is missed.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Writable } from "node:stream";
import sharp from "sharp";
import { createPool, mediaRepo } from "@folio/db";
import { createLogger } from "@folio/logger";
import { createMediaQueue, enqueueMedia, producerConnection } from "@folio/queue";
import { createStorage, mediaKeys } from "@folio/storage";
import { cleanup, freePort, here, photo, startBackends, startProcess, waitReady, waitUntilReady } from "./lib.ts";

const { values } = parseArgs({
  allowPositionals: true,
  options: { images: { type: "string", default: "10" }, format: { type: "string", default: "jpeg" } },
});
const count = Number(values.images);
const format = values.format === "png" ? "png" : "jpeg";
const TARGET_MB = 300;
const [WIDTH, HEIGHT] = [4000, 3000];

/** VmRSS and VmHWM of a process, in MB. */
async function memory(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

const scratch = await mkdtemp(join(tmpdir(), "folio-bench-memory-"));
try {
  const backends = await startBackends();
  const silent = createLogger({ name: "bench", level: "silent" }, new Writable({ write: (_c, _e, done) => done() }));
  const pool = createPool({ connectionString: backends.databaseUrl, max: 2, connectionTimeoutMs: 5_000, statementTimeoutMs: 10_000, applicationName: "bench" }, silent);
  const storage = createStorage({ ...backends.s3, bucket: backends.env.S3_BUCKET!, forcePathStyle: true });
  await storage.ensureBucket();
  const redis = producerConnection(backends.redisUrl);
  const queue = createMediaQueue(redis);

  const ids: string[] = [];
  let totalBytes = 0;
  for (let i = 0; i < count; i++) {
    const jpeg = await photo(WIDTH, HEIGHT, i);
    const bytes = format === "png" ? await sharp(jpeg).png({ compressionLevel: 1 }).toBuffer() : jpeg;
    const id = randomUUID();
    await storage.put(mediaKeys.original(id), bytes, `image/${format}`);
    await mediaRepo.create(pool, { id, ownerId: null, filename: `photo-${i}.${format}`, contentType: `image/${format}`, sizeBytes: bytes.length, originalKey: mediaKeys.original(id) });
    ids.push(id);
    totalBytes += bytes.length;
  }

  const port = await freePort();
  const worker = startProcess(here("../dist/main.js"), { ...backends.env, WORKER_PORT: String(port), WORKER_CONCURRENCY: "2", SCRATCH_DIR: join(scratch, "worker") });
  await waitReady(`http://127.0.0.1:${port}`, "the worker");
  const idle = await memory(worker.pid!);

  let peakSampled = 0;
  let samples = 0;
  const sampler = setInterval(() => {
    memory(worker.pid!).then(({ rss }) => {
      peakSampled = Math.max(peakSampled, rss);
      samples++;
    }, () => {});
  }, 20);
  const started = performance.now();
  for (const id of ids) await enqueueMedia(queue, id);
  await waitUntilReady(backends.databaseUrl, ids, 300_000);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const after = await memory(worker.pid!);
  // What the RSS is made of, from the worker's own default metrics (prom-client's collectDefaultMetrics).
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(metrics)?.[1] ?? NaN) / 2 ** 20;
  await queue.close();
  redis.disconnect();
  await pool.end();
  storage.destroy();

  const summary = {
    images: count,
    format,
    megapixels: (WIDTH * HEIGHT) / 1e6,
    averageMegabytes: Number((totalBytes / count / 1e6).toFixed(2)),
    concurrency: 2,
    seconds: Number(seconds.toFixed(1)),
    idleRssMb: Math.round(idle.rss),
    peakSampledRssMb: Math.round(peakSampled),
    peakRssMb: Math.round(after.hwm),
    rssAfterMb: Math.round(after.rss),
    v8HeapTotalMbAfter: Math.round(gauge("nodejs_heap_size_total_bytes")),
    externalMbAfter: Math.round(gauge("nodejs_external_memory_bytes")),
    samples,
  };
  console.log(`\n${count} ${format.toUpperCase()} originals of ${summary.megapixels} MP (${summary.averageMegabytes} MB on average), concurrency 2, ${summary.seconds} s\n`);
  console.log("| worker RSS | MB |\n|---|---|");
  console.log(`| idle, ready | ${summary.idleRssMb} |`);
  console.log(`| peak, sampled every 20 ms (${samples} samples) | ${summary.peakSampledRssMb} |`);
  console.log(`| peak, VmHWM (kernel high-water mark) | ${summary.peakRssMb} |`);
  console.log(`| after the last job | ${summary.rssAfterMb} |`);
  console.log(`| of which V8 heap (total) / Buffers outside it, after the last job | ${summary.v8HeapTotalMbAfter} / ${summary.externalMbAfter} |`);
  console.log(`\npeak ${summary.peakRssMb} MB (target < ${TARGET_MB} MB)`);
  console.log(JSON.stringify(summary));
  if (summary.peakRssMb >= TARGET_MB) process.exitCode = 1;
} finally {
  await cleanup();
  await rm(scratch, { recursive: true, force: true });
}

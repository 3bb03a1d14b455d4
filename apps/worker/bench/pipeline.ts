/**
 * Benchmark: images/s of the whole media pipeline against raw sharp doing the same resizes, side by side in
 * one run on the same machine, alternating rounds so that drift in the machine's speed affects both.
 * Target (issue #3): pipeline / raw sharp ≥ 0.8.
 *
 *   pipeline   N generated JPEGs (2–4 MP) are uploaded through the real API (POST /v1/media, four at a time),
 *              and the clock stops when PostgreSQL says all N are ready. The API (apps/api/dist/main.js) and the
 *              worker (dist/main.js, WORKER_CONCURRENCY=2) run as in production against real PostgreSQL, Redis
 *              and S3 servers from @folio/testkit.
 *   raw sharp  the worker's own makeVariants() on the same N images read from local files, two at a time, in
 *              this process: the same decode and encodes, without HTTP, S3, the queue or the database. The
 *              target is judged against this baseline: it isolates what the pipeline adds.
 *   naive sharp (context) the same four outputs made the obvious way, one sharp pipeline per variant from the
 *              file (four decodes instead of one), two images at a time.
 *
 * Each round measures twice, with two placements of the processes on the CPUs (taskset):
 *   reserved   the code under test (this process for raw sharp, the worker for the pipeline) gets one CPU of
 *              its own; the API, the S3 server, PostgreSQL, Redis and the uploading client get the others. As in
 *              a cluster, where the worker's pod has its CPU and its dependencies run in other pods. The target
 *              is judged here: it compares what the worker does per image with what raw sharp does, on equal CPU.
 *              Raw sharp runs before and after the pipeline and the two are averaged, against drift.
 *   shared     every process may use every CPU (context). On a 2-core machine the pipeline's other processes
 *              then take CPU from the worker, which raw sharp, alone in its process, never pays.
 * Also reported, as context: CPU time per image of the worker process against that of raw sharp (and the
 * API's), read from /proc.
 *
 * Usage: pnpm --filter @folio/worker bench:pipeline [--images 48 --rounds 3]
 *   (build first: pnpm turbo run build --filter=@folio/worker --filter=@folio/api)
 * Environment: BENCH_LOG_LEVEL (default info) and BENCH_CHILD_NODE_OPTIONS (NODE_OPTIONS) for the API and worker processes.
 * Needs Linux, at least 2 CPUs and taskset (util-linux). Prints a table and a JSON line; exits 1 when the target is missed.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { VARIANTS, configureSharp, makeVariants } from "../src/processor.ts";
import { cleanup, cpuSeconds, cpuSplit, freePort, here, photo, pinToCpus, processTree, startBackends, startProcess, waitReady, waitUntilReady } from "./lib.ts";

const { values } = parseArgs({
  allowPositionals: true, // tolerate the "--" that `pnpm bench -- …` passes along
  options: { images: { type: "string", default: "48" }, rounds: { type: "string", default: "3" } },
});
const count = Number(values.images);
const rounds = Number(values.rounds);
const TARGET = 0.8;
const SIZES = [
  [2000, 1500],
  [2400, 1600],
  [1920, 1280],
  [2048, 1536],
] as const;

const scratch = await mkdtemp(join(tmpdir(), "folio-bench-pipeline-"));
try {
  const backends = await startBackends();
  const apiPort = await freePort();
  const workerPort = await freePort();
  const admin = { email: "bench@folio.test", password: "benchmark password" };
  const apiProcess = startProcess(here("../../api/dist/main.js"), {
    ...backends.env,
    PORT: String(apiPort),
    HOST: "127.0.0.1",
    JWT_SECRET: "a".repeat(32),
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
  });
  const api = `http://127.0.0.1:${apiPort}`;
  await waitReady(api, "the API"); // it creates the bucket before it is ready
  const workerProcess = startProcess(here("../dist/main.js"), { ...backends.env, WORKER_PORT: String(workerPort), WORKER_CONCURRENCY: "2", SCRATCH_DIR: join(scratch, "worker") });
  await waitReady(`http://127.0.0.1:${workerPort}`, "the worker");

  const images = await Promise.all(Array.from({ length: count }, (_, i) => photo(SIZES[i % SIZES.length]![0], SIZES[i % SIZES.length]![1], i)));
  const files = await Promise.all(
    images.map(async (bytes, i) => {
      const file = join(scratch, `photo-${i}.jpg`);
      await writeFile(file, bytes);
      return file;
    }),
  );
  const megapixels = SIZES.reduce((sum, [w, h]) => sum + (w * h) / 1e6, 0) / SIZES.length;
  const megabytes = images.reduce((sum, image) => sum + image.length, 0) / images.length / 1e6;
  // The same process-wide settings as the worker, for a fair baseline (and after photo(), which needs no loader).
  configureSharp();

  const login = (await (
    await fetch(`${api}/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(admin) })
  ).json()) as { token: string };
  const authorization = `Bearer ${login.token}`;

  /** Runs `work` over 0..n-1 with `parallel` at a time. */
  async function pool(n: number, parallel: number, work: (i: number) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: parallel }, async () => {
      while (next < n) await work(next++);
    }));
  }

  interface Measured {
    imagesPerSecond: number;
    /** CPU milliseconds per image: of this process for the baselines, of the worker and the API for the pipeline. */
    cpuMs: number;
    apiCpuMs?: number;
  }
  const perImageMs = (before: number, after: number) => ((after - before) * 1000) / count;

  async function pipeline(): Promise<Measured> {
    const [workerCpu, apiCpu] = [await cpuSeconds(workerProcess.pid!), await cpuSeconds(apiProcess.pid!)];
    const started = performance.now();
    const ids: string[] = [];
    await pool(count, 4, async (i) => {
      const form = new FormData();
      form.append("file", new Blob([images[i]!], { type: "image/jpeg" }), `photo-${i}.jpg`);
      const res = await fetch(`${api}/v1/media`, { method: "POST", headers: { authorization }, body: form });
      if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    });
    await waitUntilReady(backends.databaseUrl, ids, 120_000);
    return {
      imagesPerSecond: count / ((performance.now() - started) / 1000),
      cpuMs: perImageMs(workerCpu, await cpuSeconds(workerProcess.pid!)),
      apiCpuMs: perImageMs(apiCpu, await cpuSeconds(apiProcess.pid!)),
    };
  }

  /** Runs `work` on every image, two at a time, in this process. */
  async function inProcess(work: (file: string) => Promise<unknown>): Promise<Measured> {
    const cpu = await cpuSeconds(process.pid);
    const started = performance.now();
    await pool(count, 2, async (i) => {
      await work(files[i]!);
    });
    return { imagesPerSecond: count / ((performance.now() - started) / 1000), cpuMs: perImageMs(cpu, await cpuSeconds(process.pid)) };
  }

  const rawSharp = () => inProcess((file) => makeVariants(file, { maxPixels: 100_000_000 }));

  const naiveSharp = () =>
    inProcess(async (file) => {
      for (const spec of VARIANTS) {
        const resized = sharp(file, { failOn: "error" })
          .rotate()
          .resize({ width: spec.maxPx, height: spec.maxPx, fit: "inside", withoutEnlargement: true });
        const encoded = spec.format === "jpeg" ? resized.flatten({ background: "#ffffff" }).jpeg({ quality: 80, progressive: true }) : resized.webp({ quality: 80 });
        await encoded.toBuffer();
      }
    });

  /**
   * Where each process may run. "reserved": the code under test (this process for the baselines, the worker
   * for the pipeline) gets one CPU of its own and everything else (API, S3 server, PostgreSQL, Redis, this
   * client) the others, as when the worker's pod has its CPU and its dependencies run in other pods.
   * "shared": every process on every CPU, which on a 2-core machine makes the pipeline's other processes
   * compete with the worker.
   */
  async function place(mode: "reserved" | "shared", underTest: number[]): Promise<void> {
    const everything = await processTree(process.pid);
    if (mode === "shared") return pinToCpus(everything, cpus.all);
    await pinToCpus(everything, cpus.rest);
    await pinToCpus(underTest, cpus.reserved);
  }
  const mean = (a: Measured, b: Measured): Measured => ({ imagesPerSecond: (a.imagesPerSecond + b.imagesPerSecond) / 2, cpuMs: (a.cpuMs + b.cpuMs) / 2 });
  const cpus = await cpuSplit();
  const workerTree = () => processTree(workerProcess.pid!);

  await rawSharp(); // warm-up: the first images pay for libvips' and the JIT's start-up
  type Round = { round: number; reserved: { raw: Measured; pipeline: Measured }; shared: { raw: Measured; naive: Measured; pipeline: Measured } };
  const results: Round[] = [];
  const ratio = (side: { raw: Measured; pipeline: Measured }) => side.pipeline.imagesPerSecond / side.raw.imagesPerSecond;
  for (let round = 1; round <= rounds; round++) {
    // Raw sharp before and after the pipeline, averaged: a drift in the machine's speed during the round then
    // affects both sides about equally.
    await place("reserved", [process.pid]);
    const rawBefore = await rawSharp();
    await place("reserved", await workerTree());
    const reservedPipeline = await pipeline();
    await place("reserved", [process.pid]);
    const reservedRaw = mean(rawBefore, await rawSharp());
    await place("shared", []);
    const raw = await rawSharp();
    const naive = await naiveSharp();
    const piped = await pipeline();
    const result: Round = { round, reserved: { raw: reservedRaw, pipeline: reservedPipeline }, shared: { raw, naive, pipeline: piped } };
    results.push(result);
    console.log(
      `round ${round}: reserved CPU: raw sharp ${reservedRaw.imagesPerSecond.toFixed(2)} images/s, pipeline ${reservedPipeline.imagesPerSecond.toFixed(2)}, ` +
        `ratio ${ratio(result.reserved).toFixed(2)} | shared CPUs: raw sharp ${raw.imagesPerSecond.toFixed(2)} (${raw.cpuMs.toFixed(0)} CPU ms/image), ` +
        `naive sharp ${naive.imagesPerSecond.toFixed(2)}, pipeline ${piped.imagesPerSecond.toFixed(2)} ` +
        `(worker ${piped.cpuMs.toFixed(0)} + API ${piped.apiCpuMs!.toFixed(0)} CPU ms/image), ratio ${ratio(result.shared).toFixed(2)}`,
    );
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const med = (pick: (r: Round) => number, digits = 2) => Number(median(results.map(pick)).toFixed(digits));
  const summary = {
    images: count,
    rounds,
    averageMegapixels: Number(megapixels.toFixed(2)),
    averageMegabytes: Number(megabytes.toFixed(2)),
    concurrency: 2,
    cpus,
    reservedRawImagesPerSecond: med((r) => r.reserved.raw.imagesPerSecond),
    reservedPipelineImagesPerSecond: med((r) => r.reserved.pipeline.imagesPerSecond),
    ratio: med((r) => ratio(r.reserved)),
    rawImagesPerSecond: med((r) => r.shared.raw.imagesPerSecond),
    naiveImagesPerSecond: med((r) => r.shared.naive.imagesPerSecond),
    pipelineImagesPerSecond: med((r) => r.shared.pipeline.imagesPerSecond),
    sharedRatio: med((r) => ratio(r.shared)),
    sharedRatioToNaive: med((r) => r.shared.pipeline.imagesPerSecond / r.shared.naive.imagesPerSecond),
    rawCpuMsPerImage: med((r) => r.shared.raw.cpuMs, 0),
    naiveCpuMsPerImage: med((r) => r.shared.naive.cpuMs, 0),
    workerCpuMsPerImage: med((r) => r.shared.pipeline.cpuMs, 0),
    apiCpuMsPerImage: med((r) => r.shared.pipeline.apiCpuMs!, 0),
    workerCpuEfficiency: med((r) => r.shared.raw.cpuMs / r.shared.pipeline.cpuMs),
  };
  console.log(`\n${count} JPEGs of ${summary.averageMegapixels} MP (${summary.averageMegabytes} MB) on average, 4 variants each, concurrency 2, ${rounds} rounds (medians)\n`);
  console.log("| | images/s | CPU ms per image |\n|---|---|---|");
  console.log(`| reserved CPU ${cpus.reserved}: raw sharp (makeVariants on local files, in one process) | ${summary.reservedRawImagesPerSecond} | |`);
  console.log(`| reserved CPU ${cpus.reserved}: pipeline, the worker on it, everything else on ${cpus.rest} | ${summary.reservedPipelineImagesPerSecond} | |`);
  console.log(`| shared CPUs ${cpus.all}: raw sharp | ${summary.rawImagesPerSecond} | ${summary.rawCpuMsPerImage} |`);
  console.log(`| shared CPUs ${cpus.all}: naive sharp (one pipeline per variant; context) | ${summary.naiveImagesPerSecond} | ${summary.naiveCpuMsPerImage} |`);
  console.log(
    `| shared CPUs ${cpus.all}: pipeline (upload through the API → S3 → queue → worker → S3 → ready) | ${summary.pipelineImagesPerSecond} | ` +
      `worker ${summary.workerCpuMsPerImage}, API ${summary.apiCpuMsPerImage} |`,
  );
  console.log(`\nratio on a reserved CPU ${summary.ratio} (target ≥ ${TARGET}); on shared CPUs ${summary.sharedRatio}, against naive sharp ${summary.sharedRatioToNaive}`);
  console.log(`worker CPU efficiency (raw sharp's CPU per image / the worker's) ${summary.workerCpuEfficiency}`);
  console.log(JSON.stringify(summary));
  if (summary.ratio < TARGET) process.exitCode = 1;
} finally {
  await cleanup();
  await rm(scratch, { recursive: true, force: true });
}

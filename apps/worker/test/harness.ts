/**
 * Real servers for one test file: its own database (migrated), its own bucket and scratch directory, a flushed
 * Redis, and the clients and dependencies the worker's modules take. Nothing is mocked.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { Job } from "bullmq";
import { Redis } from "ioredis";
import { createPool, mediaRepo, runMigrations, type Media, type Pool } from "@folio/db";
import { createRegistry } from "@folio/http-kit";
import { createLogger, type Logger } from "@folio/logger";
import { createMediaQueue, enqueueMedia, mediaJobId, producerConnection, workerConnection, type MediaJob, type Queue } from "@folio/queue";
import { createStorage, mediaKeys, type Storage } from "@folio/storage";
import { createDatabase, useTestServices, waitFor } from "@folio/testkit";
import { allowReadingBuffers } from "./images.js";
import type { MediaJobDeps } from "../src/media-job.js";
import { createWorkerMetrics, type WorkerMetrics } from "../src/metrics.js";
import { configureSharp } from "../src/processor.js";
import { prepareScratchDir } from "../src/scratch.js";
import { parseWorkerConfig, type WorkerConfig } from "../src/config.js";
import { createMediaWorker, type MediaWorker, type MediaWorkerOptions, type StallSettings } from "../src/worker.js";

/** Logs go nowhere unless FOLIO_TEST_LOGS=1. */
export const testLogger: Logger = createLogger(
  { name: "test", level: process.env.FOLIO_TEST_LOGS ? "debug" : "silent" },
  process.env.FOLIO_TEST_LOGS ? undefined : new Writable({ write: (_c, _e, done) => done() }),
);

export type WorkerOverrides = Partial<Omit<MediaWorkerOptions, "stall">> & { stall?: Partial<StallSettings> };

export interface Harness {
  /** The worker's configuration for these servers, defaults included. */
  config: WorkerConfig;
  pool: Pool;
  databaseUrl: string;
  redisUrl: string;
  /** Fail-fast connection shared by the queue and cache invalidation, as in main.ts. */
  redis: Redis;
  queue: Queue<MediaJob>;
  storage: Storage;
  scratchDir: string;
  metrics: WorkerMetrics;
  jobDeps: MediaJobDeps;
  /** Stores `bytes` as a media item's original and inserts its pending row. */
  createMedia(bytes: Buffer, contentType?: string): Promise<string>;
  /** Starts a BullMQ worker like main.ts does (the config's settings unless overridden), on its own connection. */
  startWorker(overrides?: WorkerOverrides): Promise<MediaWorker & { connection: Redis }>;
  /** Closes every worker startWorker() started. */
  stopWorkers(): Promise<void>;
  enqueue(mediaId: string): Promise<void>;
  job(mediaId: string): Promise<Job<MediaJob> | undefined>;
  /** Waits until the row leaves `pending` and returns it. */
  settled(mediaId: string, timeoutMs?: number): Promise<Media>;
  /** Keys stored under the media item's prefix, sorted. */
  objectKeys(mediaId: string): Promise<string[]>;
  scratchEntries(): Promise<string[]>;
  close(): Promise<void>;
}

export async function createHarness(): Promise<Harness> {
  configureSharp();
  allowReadingBuffers();
  const services = useTestServices();
  const databaseUrl = await createDatabase(services.databaseUrl);
  await runMigrations(databaseUrl, testLogger);
  const redisUrl = services.redisUrl;
  const admin = new Redis(redisUrl);
  await admin.flushdb();
  await admin.quit();

  const scratchDir = await mkdtemp(join(tmpdir(), "folio-worker-test-"));
  const config = parseWorkerConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    S3_ENDPOINT: services.s3.endpoint,
    S3_REGION: services.s3.region,
    S3_ACCESS_KEY_ID: services.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: services.s3.secretAccessKey,
    S3_BUCKET: `folio-worker-${randomBytes(4).toString("hex")}`,
    SCRATCH_DIR: scratchDir,
  });
  const pool = createPool(
    {
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_MAX + 2, // tests also query the pool while jobs run
      connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      applicationName: "folio-worker-test",
    },
    testLogger,
  );
  const redis = producerConnection(redisUrl);
  redis.on("error", () => {});
  const queue = createMediaQueue(redis);
  queue.on("error", () => {});
  const storage = createStorage({
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    bucket: config.S3_BUCKET,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  });
  await storage.ensureBucket();
  await prepareScratchDir(scratchDir);
  const metrics = createWorkerMetrics(createRegistry("worker-test"), queue);
  const jobDeps: MediaJobDeps = { pool, storage, cache: redis, logger: testLogger, scratchDir, maxPixels: config.IMAGE_MAX_PIXELS };
  const workers: (MediaWorker & { connection: Redis })[] = [];

  const harness: Harness = {
    config,
    pool,
    databaseUrl,
    redisUrl,
    redis,
    queue,
    storage,
    scratchDir,
    metrics,
    jobDeps,
    async createMedia(bytes, contentType = "image/jpeg") {
      const id = randomUUID();
      await storage.put(mediaKeys.original(id), bytes, contentType);
      await mediaRepo.create(pool, { id, ownerId: null, filename: "test.jpg", contentType, sizeBytes: bytes.length, originalKey: mediaKeys.original(id) });
      return id;
    },
    async startWorker({ stall, ...overrides } = {}) {
      const connection = workerConnection(redisUrl);
      connection.on("error", () => {});
      const worker = createMediaWorker({
        connection,
        concurrency: config.WORKER_CONCURRENCY,
        job: jobDeps,
        logger: testLogger,
        metrics,
        stall: {
          lockDuration: config.WORKER_LOCK_DURATION_MS,
          stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
          maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
          ...stall,
        },
        ...overrides,
      });
      worker.start();
      await worker.worker.waitUntilReady();
      const handle = Object.assign(worker, { connection });
      workers.push(handle);
      return handle;
    },
    enqueue: (mediaId) => enqueueMedia(queue, mediaId),
    job: (mediaId) => queue.getJob(mediaJobId(mediaId)),
    async settled(mediaId, timeoutMs = 15_000) {
      return waitFor(
        async () => {
          const media = await mediaRepo.findById(pool, mediaId);
          return media && media.status !== "pending" ? media : undefined;
        },
        { timeoutMs, description: `media ${mediaId} to leave pending` },
      );
    },
    async objectKeys(mediaId) {
      const keys: string[] = [];
      for await (const object of storage.list(mediaKeys.prefix(mediaId))) keys.push(object.key);
      return keys.sort();
    },
    scratchEntries: () => readdir(scratchDir),
    async stopWorkers() {
      for (const worker of workers.splice(0)) {
        await worker.close(1_000);
        worker.connection.disconnect();
      }
    },
    async close() {
      await harness.stopWorkers();
      await queue.close().catch(() => {});
      redis.disconnect();
      await pool.end();
      storage.destroy();
      await rm(scratchDir, { recursive: true, force: true });
    },
  };
  return harness;
}

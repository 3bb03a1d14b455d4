/**
 * Real servers for one test file: its own database (migrated), its own bucket, its own Redis database number,
 * plus helpers that put rows, objects and jobs into the state each purge looks for. Nothing is mocked.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import {
  articlesRepo,
  createPool,
  idempotencyRepo,
  mediaRepo,
  runMigrations,
  usersRepo,
  type ArticleStatus,
  type MediaStatus,
  type Pool,
} from "@folio/db";
import { createLogger, type Logger } from "@folio/logger";
import { QUEUE_PREFIX, QUEUES, createMediaQueue, enqueueMedia, producerConnection, workerConnection, type MediaJob, type Queue } from "@folio/queue";
import { createStorage, mediaKeys, type Storage } from "@folio/storage";
import { createDatabase, useTestServices, waitFor } from "@folio/testkit";
import type { CleanupDeps, CleanupOptions } from "../src/cleanup.js";
import { bullmqJobHistory } from "../src/job-history.js";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The defaults of src/config.ts, as the use case takes them. */
export const DEFAULT_OPTIONS: CleanupOptions = {
  dryRun: false,
  batchSize: 500,
  trashRetentionMs: 30 * DAY,
  orphanGraceMs: 24 * HOUR,
  queueRetentionMs: 7 * DAY,
};

/** Logs go nowhere unless FOLIO_TEST_LOGS=1. */
export const testLogger: Logger = createLogger(
  { name: "test", level: process.env.FOLIO_TEST_LOGS ? "debug" : "silent" },
  process.env.FOLIO_TEST_LOGS ? undefined : new Writable({ write: (_c, _e, done) => done() }),
);

export interface Harness {
  pool: Pool;
  storage: Storage;
  queue: Queue<MediaJob>;
  /** Settings for the real process (test/process.test.ts). */
  env: Record<string, string>;
  /** Dependencies for runCleanup, with the clock moved by `offsetMs`. */
  deps(offsetMs?: number): CleanupDeps;
  /** Empties every table, the bucket and the queue between tests. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** `redisDb` keeps test files apart on the one Redis server (each file picks its own number). */
export async function createHarness(redisDb: number): Promise<Harness> {
  const services = useTestServices();
  const databaseUrl = await createDatabase(services.databaseUrl);
  await runMigrations(databaseUrl, testLogger);
  const redisUrl = new URL(services.redisUrl);
  redisUrl.pathname = `/${redisDb}`;
  const bucket = `folio-cleanup-${randomBytes(4).toString("hex")}`;

  const pool = createPool(
    { connectionString: databaseUrl, max: 5, connectionTimeoutMs: 2_000, statementTimeoutMs: 10_000, applicationName: "cleanup-test" },
    testLogger,
  );
  const storage = createStorage({
    endpoint: services.s3.endpoint,
    region: services.s3.region,
    bucket,
    accessKeyId: services.s3.accessKeyId,
    secretAccessKey: services.s3.secretAccessKey,
    forcePathStyle: true,
  });
  await storage.ensureBucket();
  const redis = producerConnection(redisUrl.toString());
  redis.on("error", () => {});
  const queue = createMediaQueue(redis);
  queue.on("error", () => {});
  await queue.waitUntilReady();
  const jobs = bullmqJobHistory(queue, redis);

  return {
    pool,
    storage,
    queue,
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl.toString(),
      S3_ENDPOINT: services.s3.endpoint,
      S3_REGION: services.s3.region,
      S3_ACCESS_KEY_ID: services.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: services.s3.secretAccessKey,
      S3_BUCKET: bucket,
    },
    deps: (offsetMs = 0) => ({ pool, storage, jobs, logger: testLogger, clock: () => new Date(Date.now() + offsetMs) }),
    async reset() {
      await pool.query("TRUNCATE articles, article_revisions, media, idempotency_keys, users CASCADE");
      const keys: string[] = [];
      for await (const object of storage.list("")) keys.push(object.key);
      await storage.delete(keys);
      await queue.obliterate({ force: true });
    },
    async close() {
      await queue.close();
      redis.disconnect();
      await pool.end();
      storage.destroy();
    },
  };
}

// Arranging state. Timestamps are set with SQL: the repositories stamp now(), and the tests need the past.

export async function createUser(pool: Pool): Promise<string> {
  const user = await usersRepo.create(pool, { email: `${randomUUID()}@folio.test`, name: "Ed", role: "editor", passwordHash: "x" });
  return user!.id;
}

/** An article with one revision (it was edited once), moved to `status`; `trashedAt` backdates the trashing. */
export async function createArticle(pool: Pool, authorId: string, status: ArticleStatus, trashedAt?: Date): Promise<string> {
  const article = await articlesRepo.create(pool, {
    slug: `a-${randomBytes(6).toString("hex")}`,
    title: "Title",
    body: "Body",
    excerpt: "",
    coverMediaId: null,
    tags: [],
    authorId,
  });
  await articlesRepo.update(pool, article.id, 1, { title: "Edited" }, authorId);
  if (status !== "draft") {
    const changes = status === "trashed" ? { status, trashedAt: "now" as const } : { status, publishedAt: "now" as const };
    await articlesRepo.update(pool, article.id, 2, changes, authorId);
  }
  if (trashedAt) await pool.query("UPDATE articles SET trashed_at = $2 WHERE id = $1", [article.id, trashedAt]);
  return article.id;
}

/** A media row in `status`, last changed at `updatedAt`, with objects under its prefix named by `objects`. */
export async function createMedia(
  harness: Pick<Harness, "pool" | "storage">,
  options: { status: MediaStatus; updatedAt?: Date; objects?: string[] },
): Promise<string> {
  const id = randomUUID();
  await putObjects(harness.storage, id, options.objects ?? []);
  await mediaRepo.create(harness.pool, { id, ownerId: null, filename: "a.png", contentType: "image/png", sizeBytes: 3, originalKey: mediaKeys.original(id) });
  await harness.pool.query("UPDATE media SET status = $2, updated_at = $3 WHERE id = $1", [id, options.status, options.updatedAt ?? new Date()]);
  return id;
}

/** Objects `media/<mediaId>/<name>` for each name ("original", "thumb.webp", …). */
export async function putObjects(storage: Storage, mediaId: string, names: string[]): Promise<string[]> {
  const keys = names.map((name) => `media/${mediaId}/${name}`);
  for (const key of keys) await storage.put(key, Buffer.from("png"), "image/png");
  return keys;
}

export async function listKeys(storage: Storage, prefix = ""): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of storage.list(prefix)) keys.push(object.key);
  return keys.sort();
}

/** `live` stored responses that have not expired and `expired` ones that have. */
export async function createIdempotencyKeys(pool: Pool, userId: string, counts: { live: number; expired: number }): Promise<void> {
  for (let i = 0; i < counts.live + counts.expired; i++) {
    const key = `key-${i}`;
    await idempotencyRepo.save(pool, { userId, key, method: "POST", path: "/v1/articles", requestHash: "h", status: 201, body: {}, headers: {} }, 3600);
    if (i >= counts.live) await pool.query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1", [key]);
  }
}

/**
 * Runs media jobs through a real BullMQ worker until they are finished: one per id, failing permanently for
 * the ids in `fail`. Returns when every job is in the completed or failed set.
 */
export async function finishJobs(harness: Pick<Harness, "queue" | "env">, ids: { complete: number; fail: number }): Promise<void> {
  const failing = new Set<string>(Array.from({ length: ids.fail }, () => randomUUID()));
  const all = [...Array.from({ length: ids.complete }, () => randomUUID()), ...failing];
  const before = await harness.queue.getJobCounts("completed", "failed");
  const connection: Redis = workerConnection(harness.env.REDIS_URL!);
  const worker = new Worker<MediaJob>(
    QUEUES.media,
    async (job) => {
      if (failing.has(job.data.mediaId)) throw new UnrecoverableError("not an image");
    },
    { connection, prefix: QUEUE_PREFIX },
  );
  worker.on("error", () => {});
  try {
    for (const id of all) await enqueueMedia(harness.queue, id);
    await waitFor(
      async () => {
        const counts = await harness.queue.getJobCounts("completed", "failed");
        return counts.completed === before.completed! + ids.complete && counts.failed === before.failed! + ids.fail;
      },
      { description: "the media jobs to finish" },
    );
  } finally {
    await worker.close();
    connection.disconnect();
  }
}

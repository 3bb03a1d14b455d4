/**
 * The worker process: config → logger → clients → BullMQ worker, reconciler and probe server → shutdown.
 */
import { createServer } from "node:http";
import { once } from "node:events";
import { createPool, startWhenMigrated } from "@folio/db";
import { ProbeState, answerClientErrors, closeHttpServer, createRegistry } from "@folio/http-kit";
import { createShutdown, handleProcessErrors } from "@folio/lifecycle";
import { createLogger } from "@folio/logger";
import { closeQueue, closeRedis, createMediaQueue, producerConnection, workerConnection } from "@folio/queue";
import { storageFromConfig } from "@folio/storage";
import { createApp } from "./app.js";
import { readConfig } from "./config.js";
import { createWorkerMetrics } from "./metrics.js";
import { configureSharp } from "./processor.js";
import { Reconciler } from "./reconciler.js";
import { prepareScratchDir } from "./scratch.js";
import { createMediaWorker } from "./worker.js";

const config = readConfig();
const logger = createLogger({ name: "worker", level: config.LOG_LEVEL });
configureSharp();
try {
  await prepareScratchDir(config.SCRATCH_DIR);
} catch (error) {
  logger.fatal({ err: error, dir: config.SCRATCH_DIR }, "scratch directory unusable");
  process.exit(1);
}

const probes = new ProbeState();
const registry = createRegistry("worker");
const pool = createPool(
  {
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: "folio-worker",
  },
  logger,
);
// The BullMQ worker blocks on Redis and must wait through outages; everything else (the reconciler's enqueues,
// queue counts for metrics, cache invalidation) fails fast and is retried later.
const workerRedis = workerConnection(config.REDIS_URL);
const redis = producerConnection(config.REDIS_URL);
for (const [name, connection] of [["worker", workerRedis], ["producer", redis]] as const) {
  // ioredis reconnects by itself; without a listener each failed attempt would be an unhandled error.
  connection.on("error", (error) => logger.warn({ err: error, redis: name }, "redis connection error"));
}
const queue = createMediaQueue(redis);
queue.on("error", (error) => logger.warn({ err: error }, "media queue error"));
const storage = storageFromConfig(config);
const metrics = createWorkerMetrics(registry, queue);
const mediaWorker = createMediaWorker({
  connection: workerRedis,
  concurrency: config.WORKER_CONCURRENCY,
  job: { pool, storage, cache: redis, logger, scratchDir: config.SCRATCH_DIR, maxPixels: config.IMAGE_MAX_PIXELS },
  logger,
  metrics,
  stall: {
    lockDuration: config.WORKER_LOCK_DURATION_MS,
    stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
  },
});
const reconciler = new Reconciler(
  { pool, queue, logger, metrics },
  { intervalMs: config.RECONCILE_INTERVAL_MS, pendingAfterMs: config.RECONCILE_PENDING_AFTER_MS, batchSize: config.RECONCILE_BATCH_SIZE },
);
const server = answerClientErrors(createServer(createApp({ probes, registry })));

const shutdown = createShutdown({
  logger,
  delayMs: config.SHUTDOWN_DELAY_MS,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onDrain: () => probes.markDraining(),
});
// An unhandled rejection is logged and counted, an uncaught exception drains and exits 1 (ADR 0020).
handleProcessErrors({ logger, shutdown, registry });
shutdown.add("reconciler", () => reconciler.stop());
// Bounded by our own deadline, below SHUTDOWN_TIMEOUT_MS, so the steps after it still run (see config.ts).
shutdown.add("media worker", async () => {
  await mediaWorker.close(config.WORKER_DRAIN_TIMEOUT_MS);
});
// After the worker: /metrics and /healthz keep answering while jobs finish.
shutdown.add("http server", () => closeHttpServer(server));
shutdown.add("media queue", () => closeQueue(queue));
shutdown.add("redis", async () => {
  // Not QUIT alone: the worker's connection queues commands while Redis is away, and a QUIT behind them would
  // hold the shutdown until its deadline (a SIGTERM during a Redis outage then ended in exit 1).
  await Promise.all([closeRedis(workerRedis), closeRedis(redis)]);
});
shutdown.add("postgres pool", () => pool.end());
shutdown.add("storage", () => storage.destroy());

server.listen(config.WORKER_PORT);
await once(server, "listening");
logger.info({ port: config.WORKER_PORT, concurrency: config.WORKER_CONCURRENCY }, "worker listening");

// Takes jobs once the schema this build expects is migrated (the migrate Job may still be running).
await startWhenMigrated(pool, {
  logger,
  pollMs: config.SCHEMA_POLL_MS,
  stopping: () => shutdown.draining,
  waitingFor: (reason) => probes.waitingFor(reason),
  start() {
    mediaWorker.start();
    reconciler.start();
    probes.markStarted();
    logger.info("worker ready");
  },
});

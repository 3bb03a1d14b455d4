/**
 * The API process: config → logger → clients → app → listen → shutdown.
 */
import { createServer } from "node:http";
import { once } from "node:events";
import { createPool, startWhenMigrated } from "@folio/db";
import { ProbeState, answerClientErrors, closeHttpServer, createRegistry } from "@folio/http-kit";
import { createShutdown, handleProcessErrors } from "@folio/lifecycle";
import { createLogger } from "@folio/logger";
import { closeQueue, closeRedis, createMediaQueue, producerConnection, subscriberConnection } from "@folio/queue";
import { storageFromConfig } from "@folio/storage";
import { createApp } from "./app.js";
import { readConfig } from "./config.js";
import { ensureFirstAdmin } from "./domain/bootstrap.js";
import { FlagStore } from "./domain/flags.js";

const config = readConfig();
const logger = createLogger({ name: "api", level: config.LOG_LEVEL });
const probes = new ProbeState();
const registry = createRegistry("api");

const pool = createPool(
  {
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: "folio-api",
  },
  logger,
);
// One connection per role (@folio/queue): enqueues and cache commands fail fast, the invalidation subscriber
// waits through outages and is subscribed again by the cache itself after every reconnect.
const queueConnection = producerConnection(config.REDIS_URL);
const cache = producerConnection(config.REDIS_URL, { commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS });
const cacheSubscriber = subscriberConnection(config.REDIS_URL);
for (const [name, redis] of [["queue", queueConnection], ["cache", cache], ["cache-subscriber", cacheSubscriber]] as const) {
  // ioredis reconnects by itself; without a listener each failed attempt would be an unhandled error.
  redis.on("error", (error) => logger.warn({ err: error, redis: name }, "redis connection error"));
}
const mediaQueue = createMediaQueue(queueConnection);
mediaQueue.on("error", (error) => logger.warn({ err: error }, "media queue error"));
const storage = storageFromConfig(config);
const flags = new FlagStore(config.FLAGS_FILE, config.FLAGS_POLL_MS, logger);
try {
  flags.start();
} catch (error) {
  logger.fatal({ err: error }, "invalid feature flags file");
  process.exit(1);
}

const { app } = createApp({ config, logger, pool, cache, cacheSubscriber, mediaQueue, storage, flags, probes, registry });
const server = answerClientErrors(createServer(app));
// Longer than the ingress's idle timeout, so the proxy, not Node, closes idle keep-alive connections.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

const shutdown = createShutdown({
  logger,
  delayMs: config.SHUTDOWN_DELAY_MS,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onDrain: () => probes.markDraining(),
});
// Before the first await, so that nothing this process does can reach Node's default (exit at once): an unhandled
// rejection is logged and counted, an uncaught exception drains and exits 1 (ADR 0020).
handleProcessErrors({ logger, shutdown, registry });
shutdown.add("http server", () => closeHttpServer(server));
shutdown.add("flags watcher", () => flags.stop());
shutdown.add("media queue", () => closeQueue(mediaQueue));
shutdown.add("redis", async () => {
  await Promise.all([queueConnection, cache, cacheSubscriber].map((connection) => closeRedis(connection)));
});
shutdown.add("postgres pool", () => pool.end());
shutdown.add("storage", () => storage.destroy());

server.listen(config.PORT, config.HOST);
await once(server, "listening");
logger.info({ port: config.PORT }, "api listening");

await startWhenMigrated(pool, {
  logger,
  pollMs: config.SCHEMA_POLL_MS,
  stopping: () => shutdown.draining,
  waitingFor: (reason) => probes.waitingFor(reason),
  // Ready once the schema is migrated, the first admin exists and the bucket is there.
  async start() {
    await ensureFirstAdmin(pool, logger, config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
    if (config.S3_CREATE_BUCKET) await storage.ensureBucket();
    probes.markStarted();
    logger.info("api ready");
  },
});

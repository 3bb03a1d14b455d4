/**
 * Builds the real app against real servers for one test file: its own database (migrated), its own bucket,
 * a flushed Redis. Nothing is mocked: the routes talk to PostgreSQL, Redis and the S3 server.
 */
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import type { Express } from "express";
import { Redis } from "ioredis";
import request from "supertest";
import { createPool, runMigrations, type Pool } from "@folio/db";
import { ProbeState, createRegistry, type ApiRouter } from "@folio/http-kit";
import { createLogger, type Logger } from "@folio/logger";
import { createMediaQueue, producerConnection, subscriberConnection, type MediaJob, type Queue } from "@folio/queue";
import { storageFromConfig, type Storage } from "@folio/storage";
import { createDatabase, useTestServices, waitFor, type FolioServices } from "@folio/testkit";
import { createApp } from "../src/app.js";
import { parseApiConfig, type ApiConfig } from "../src/config.js";
import { ensureFirstAdmin } from "../src/domain/bootstrap.js";
import { FlagStore } from "../src/domain/flags.js";

export const ADMIN = { email: "admin@folio.test", password: "correct horse battery" };

/** Logs go nowhere unless FOLIO_TEST_LOGS=1. */
export const testLogger: Logger = createLogger(
  { name: "test", level: process.env.FOLIO_TEST_LOGS ? "debug" : "silent" },
  process.env.FOLIO_TEST_LOGS ? undefined : new Writable({ write: (_c, _e, done) => done() }),
);

export interface Harness {
  app: Express;
  /** The app's routes, as it registered them. */
  router: ApiRouter;
  config: ApiConfig;
  pool: Pool;
  redis: Redis;
  queueConnection: Redis;
  mediaQueue: Queue<MediaJob>;
  storage: Storage;
  flags: FlagStore;
  services: FolioServices;
  databaseUrl: string;
  /** A second API replica: same database, Redis and bucket, its own Redis connections and in-process cache. */
  replica(): Promise<{ app: Express; close(): void }>;
  /** Logs in and returns "Bearer …". */
  login(email?: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Use these servers instead of the run's shared ones (outage tests bring their own). */
  databaseAdminUrl?: string;
  redisUrl?: string;
  s3?: FolioServices["s3"];
  /** Where the app logs (default: nowhere), for tests that assert what was logged. */
  logger?: Logger;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const services = useTestServices();
  const databaseUrl = await createDatabase(options.databaseAdminUrl ?? services.databaseUrl);
  await runMigrations(databaseUrl, testLogger);
  const redisUrl = options.redisUrl ?? services.redisUrl;
  const s3 = options.s3 ?? services.s3;
  const config = parseApiConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_BUCKET: `folio-test-${randomBytes(4).toString("hex")}`,
    JWT_SECRET: randomBytes(32).toString("hex"),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    CORS_ORIGINS: "http://site.localtest.me",
    ...options.env,
  });

  const admin = new Redis(redisUrl);
  await admin.flushdb();
  await admin.quit();

  const pool = createPool(
    {
      connectionString: databaseUrl,
      max: config.DATABASE_POOL_MAX,
      connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      applicationName: "folio-api-test",
    },
    testLogger,
  );
  const redis = producerConnection(redisUrl, { commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS });
  const queueConnection = producerConnection(redisUrl);
  const cacheSubscriber = subscriberConnection(redisUrl); // the options of its role, as in src/main.ts
  for (const connection of [redis, queueConnection, cacheSubscriber]) connection.on("error", () => {});
  const mediaQueue = createMediaQueue(queueConnection);
  mediaQueue.on("error", () => {});
  const storage = storageFromConfig(config);
  await storage.ensureBucket();
  const flags = new FlagStore(config.FLAGS_FILE, config.FLAGS_POLL_MS, testLogger);
  flags.start();
  const probes = new ProbeState();
  await ensureFirstAdmin(pool, testLogger, config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
  probes.markStarted();
  const { app, router } = createApp({
    config,
    logger: options.logger ?? testLogger,
    pool,
    cache: redis,
    cacheSubscriber,
    mediaQueue,
    storage,
    flags,
    probes,
    registry: createRegistry("api-test"),
  });

  return {
    app,
    router,
    config,
    pool,
    redis,
    queueConnection,
    mediaQueue,
    storage,
    flags,
    services,
    databaseUrl,
    async replica() {
      const cache = producerConnection(redisUrl, { commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS });
      const subscriber = subscriberConnection(redisUrl);
      for (const connection of [cache, subscriber]) connection.on("error", () => {});
      const replica = createApp({
        config,
        logger: testLogger,
        pool,
        cache,
        cacheSubscriber: subscriber,
        mediaQueue,
        storage,
        flags,
        probes,
        registry: createRegistry("api-test-replica"),
      });
      await waitFor(() => subscriber.status === "ready", { description: "the replica's subscriber" });
      return {
        app: replica.app,
        close() {
          cache.disconnect();
          subscriber.disconnect();
        },
      };
    },
    async login(email = ADMIN.email, password = ADMIN.password) {
      const res = await request(app).post("/v1/auth/login").send({ email, password });
      if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return `Bearer ${res.body.token as string}`;
    },
    async close() {
      flags.stop();
      await mediaQueue.close().catch(() => {});
      redis.disconnect();
      queueConnection.disconnect();
      cacheSubscriber.disconnect();
      await pool.end();
      storage.destroy();
    },
  };
}

/** A tiny valid PNG (1×1), for uploads. */
export const PNG_1X1 = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010806000000" + "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082",
  "hex",
);

/** Creates an editor and returns its token. */
export async function createEditor(harness: Harness, adminToken: string, email = `editor-${randomBytes(3).toString("hex")}@folio.test`) {
  const password = "editor password 123";
  const res = await request(harness.app).post("/v1/users").set("authorization", adminToken).send({ email, name: "Ed", role: "editor", password });
  if (res.status !== 201) throw new Error(`creating editor failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, email, token: await harness.login(email, password) };
}

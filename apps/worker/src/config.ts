/**
 * Every setting of the worker, from environment variables. This is the only module that reads process.env.
 * The table in apps/worker/README.md is this schema's documentation; keep both in step.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, nonNegativeInt, parseConfig, port, positiveInt, serviceSchema, url, z } from "@folio/config";
import { s3ConfigSchema } from "@folio/storage";

const SHUTDOWN_BUDGET = ["SHUTDOWN_DELAY_MS", "SHUTDOWN_TIMEOUT_MS"];

export const configSchema = z
  .object({
    ...serviceSchema,
    // Nothing routes traffic to the worker by its readiness, so there is nothing to wait for after SIGTERM.
    SHUTDOWN_DELAY_MS: nonNegativeInt(0).describe(
      "after SIGTERM, how long to wait with readiness failing before closing; 0 because no Service routes to the worker",
    ),
    WORKER_DRAIN_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "on shutdown, how long running jobs may take to finish (default: 3/4 of SHUTDOWN_TIMEOUT_MS - SHUTDOWN_DELAY_MS); a job still running then returns to the queue when its lock expires",
      ),
    WORKER_PORT: port(8081).describe("port of the probe and metrics server"),
    WORKER_CONCURRENCY: positiveInt(2).describe("images processed at once by this process; about one CPU core each"),
    // How BullMQ notices that a job's worker died; every replica must use the same values. In short
    // (docs/adr/0009-worker-stall-settings.md): renewing every 15 s rides out a Redis failover without a false
    // stall; checking every 15 s brings a dead worker's job back 30–45 s after its last renewal; two stalls allowed
    // survive a slow drain plus a node loss, while an image that crashes the worker every time fails on the third.
    WORKER_LOCK_DURATION_MS: positiveInt(30_000).describe(
      "a running job's lock expires after this unless renewed (every half of it); a dead worker's job returns to the queue then",
    ),
    WORKER_STALLED_INTERVAL_MS: positiveInt(15_000).describe("how often each worker looks for jobs whose lock expired"),
    WORKER_MAX_STALLED_COUNT: nonNegativeInt(2).describe("how many times a job may lose its worker and still run; one more fails it"),
    SCRATCH_DIR: z
      .string()
      .min(1)
      .default(join(tmpdir(), "folio-worker"))
      .describe("directory for downloaded originals, emptied at start (an emptyDir volume in Kubernetes)"),
    IMAGE_MAX_PIXELS: positiveInt(100_000_000).describe(
      "larger originals (width × height) fail permanently; bounds the memory one job can take",
    ),
    RECONCILE_INTERVAL_MS: positiveInt(60_000).describe("how often to look for media left pending"),
    RECONCILE_PENDING_AFTER_MS: positiveInt(5 * 60_000).describe("media pending for longer than this is enqueued again"),
    RECONCILE_BATCH_SIZE: positiveInt(500).describe("most media rows looked at per reconciler pass, oldest first"),
    DATABASE_URL: url(["postgres", "postgresql"]).describe("PostgreSQL connection string"),
    DATABASE_POOL_MAX: positiveInt(4).describe("connections per worker process"),
    DATABASE_CONNECT_TIMEOUT_MS: positiveInt(5_000).describe("longest wait for a pool connection"),
    DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(10_000).describe("server-side limit per SQL statement"),
    REDIS_URL: url(["redis", "rediss"]).describe("Redis (or Valkey) holding the media queue and the public cache"),
    ...s3ConfigSchema(30_000),
    SCHEMA_POLL_MS: positiveInt(2_000).describe("while the schema is not migrated, how often to check again"),
  })
  .refine((config) => config.SHUTDOWN_DELAY_MS + (config.WORKER_DRAIN_TIMEOUT_MS ?? 0) + 1_000 <= config.SHUTDOWN_TIMEOUT_MS, {
    message: "must be at least 1000 ms more than SHUTDOWN_DELAY_MS + WORKER_DRAIN_TIMEOUT_MS, to leave time for closing connections",
    path: ["SHUTDOWN_TIMEOUT_MS"],
    // Check even when unrelated settings are invalid, so the operator sees every problem at once.
    when: ({ value }) => SHUTDOWN_BUDGET.every((key) => typeof (value as Record<string, unknown>)[key] === "number"),
  })
  .transform((config) => ({
    ...config,
    // Most of what is left after the delay, keeping a quarter for closing the server, queue and pools.
    WORKER_DRAIN_TIMEOUT_MS: config.WORKER_DRAIN_TIMEOUT_MS ?? Math.floor(((config.SHUTDOWN_TIMEOUT_MS - config.SHUTDOWN_DELAY_MS) * 3) / 4),
  }));

export type WorkerConfig = z.output<typeof configSchema>;

export const readConfig = (env: Record<string, string | undefined> = process.env): WorkerConfig => loadConfig(configSchema, env);
export const parseWorkerConfig = (env: Record<string, string | undefined>): WorkerConfig => parseConfig(configSchema, env);

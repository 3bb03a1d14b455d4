/**
 * The cleanup job, run once by a Kubernetes CronJob: arguments → config → logger → clients → run lock →
 * purges → one JSON summary line on stdout → exit code (0 done or skipped, 1 failed, 128+n interrupted by
 * signal n). See README.md and docs/adr/0011-cleanup-job.md.
 */
import { constants } from "node:os";
import { destination } from "pino";
import { createPool } from "@folio/db";
import { handleProcessErrors } from "@folio/lifecycle";
import { createLogger } from "@folio/logger";
import { closeQueue, createMediaQueue, producerConnection } from "@folio/queue";
import { storageFromConfig } from "@folio/storage";
import { emptyCounts, runCleanup, type Category, type Counts } from "./cleanup.js";
import { parseArguments, usage, type Invocation } from "./cli.js";
import { readConfig } from "./config.js";
import { bullmqJobHistory } from "./job-history.js";
import { acquireRunLock } from "./lock.js";

interface Summary {
  dryRun: boolean;
  /** Another run held the lock, so this one did nothing. */
  skipped: boolean;
  /** Stopped by a signal with work left. */
  interrupted: boolean;
  failed: Category[];
  /** Why the run could not start (the database stayed unreachable, …). */
  error?: string;
  durationMs: number;
  counts: Counts;
}

process.exitCode = await main();

async function main(): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage()}`);
    return 1;
  }
  if (invocation.help) {
    process.stdout.write(usage());
    return 0;
  }

  const config = readConfig();
  // Synchronous writes: the last lines of a Job matter most, and a SIGKILL must not take them with it.
  const logger = createLogger({ name: "cleanup", level: config.LOG_LEVEL }, destination({ dest: 1, sync: true }));
  // As in the services (ADR 0020): an unhandled rejection is logged and the run goes on; an uncaught exception is
  // logged and the job exits 1 at once (no summary; the CronJob's next run, or the Job's retry, starts clean).
  handleProcessErrors({ logger });
  const startedAt = Date.now();
  const summary: Summary = {
    dryRun: invocation.dryRun || config.CLEANUP_DRY_RUN,
    skipped: false,
    interrupted: false,
    failed: [],
    durationMs: 0,
    counts: emptyCounts(),
  };

  // SIGTERM (the pod is being stopped) or SIGINT (Ctrl-C): finish the batch in progress, report, exit 128+n.
  // Giving up (a second signal, or the batch outlasting the deadline) is the only place that calls process.exit.
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      logger.warn({ signal }, "second signal; exiting now without a summary");
      process.exit(1);
    }
    logger.info({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, "stopping after the current batch");
    stop.abort(signal);
    setTimeout(() => {
      logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, "the current batch did not finish in time; exiting without a summary");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  const pool = createPool(
    {
      connectionString: config.DATABASE_URL,
      // One connection holds the run lock; one does the work.
      max: 2,
      connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      applicationName: "folio-cleanup",
    },
    logger,
  );
  const redis = producerConnection(config.REDIS_URL, {
    // A run-once job gives up on Redis after a few attempts (about 8 s) instead of reconnecting forever; then
    // only the queue purge fails, and the Job's retry covers a longer outage.
    retryStrategy: (attempt) => (attempt > 5 ? null : attempt * 500),
  });
  redis.on("error", (error) => logger.warn({ err: error }, "redis connection error"));
  const queue = createMediaQueue(redis);
  queue.on("error", (error) => logger.warn({ err: error }, "media queue error"));
  const storage = storageFromConfig(config);

  const hour = 3_600_000;
  logger.info(
    {
      dryRun: summary.dryRun,
      batchSize: config.BATCH_SIZE,
      trashRetentionDays: config.TRASH_RETENTION_DAYS,
      orphanGraceHours: config.ORPHAN_GRACE_HOURS,
      queueRetentionDays: config.QUEUE_RETENTION_DAYS,
    },
    "cleanup starting",
  );
  try {
    const locking = await acquireRunLock(pool, { logger, waitMs: config.DATABASE_WAIT_SECONDS * 1000, signal: stop.signal });
    if (locking.status === "held-elsewhere") {
      logger.info("another cleanup run holds the lock; skipping this one");
      summary.skipped = true;
    } else if (locking.status === "interrupted") {
      summary.interrupted = true;
    } else {
      try {
        const report = await runCleanup(
          { pool, storage, jobs: bullmqJobHistory(queue, redis), logger },
          {
            dryRun: summary.dryRun,
            batchSize: config.BATCH_SIZE,
            trashRetentionMs: config.TRASH_RETENTION_DAYS * 24 * hour,
            orphanGraceMs: config.ORPHAN_GRACE_HOURS * hour,
            queueRetentionMs: config.QUEUE_RETENTION_DAYS * 24 * hour,
            signal: stop.signal,
          },
        );
        Object.assign(summary, report);
      } finally {
        await locking.lock.release();
      }
    }
  } catch (error) {
    summary.error = (error as Error).message;
    logger.fatal({ err: error }, summary.error);
  } finally {
    // closeQueue, not queue.close(): a run that skips at once closes the queue while its connection is still
    // connecting, and BullMQ then left a rejection nobody handled (logged after the summary line).
    await closeQueue(queue).catch((error: unknown) => logger.warn({ err: error }, "closing the media queue failed"));
    redis.disconnect();
    await pool.end();
    storage.destroy();
  }

  summary.durationMs = Date.now() - startedAt;
  if (summary.interrupted) logger.info("stopped early; the next run continues where this one stopped");
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (summary.error !== undefined || summary.failed.length > 0) return 1;
  if (summary.interrupted) return 128 + (constants.signals[stop.signal.reason as NodeJS.Signals] ?? constants.signals.SIGTERM);
  return 0;
}

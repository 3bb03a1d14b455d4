/**
 * The BullMQ worker of the media queue: its settings, listeners and metrics, and a close() bounded by our own
 * deadline. What a job does is in media-job.ts.
 */
import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { mediaRepo } from "@folio/db";
import type { Logger } from "@folio/logger";
import { QUEUE_PREFIX, QUEUES, mediaJobSchema, type MediaJob } from "@folio/queue";
import { isLastAttempt, processMediaJob, type MediaJobDeps, type MediaJobOutcome } from "./media-job.js";
import type { JobResult, WorkerMetrics } from "./metrics.js";

/**
 * How BullMQ notices that a job's worker died (an OOM kill, a lost node, a drain that ran out of time). The
 * defaults (WORKER_LOCK_DURATION_MS and friends in config.ts) are explained in docs/adr/0009-worker-stall-settings.md.
 */
export interface StallSettings {
  /** A running job's lock expires after this unless renewed; BullMQ renews it every half of it. */
  lockDuration: number;
  /** How often this worker looks for jobs whose lock expired, and returns them to the queue. */
  stalledInterval: number;
  /** How many times a job may lose its worker and still run; one more fails it. */
  maxStalledCount: number;
}

export interface MediaWorkerOptions {
  /** Must be a workerConnection(): BullMQ's blocking commands need maxRetriesPerRequest: null. */
  connection: Redis;
  concurrency: number;
  job: MediaJobDeps;
  logger: Logger;
  metrics: WorkerMetrics;
  stall: StallSettings;
}

export interface MediaWorker {
  readonly worker: Worker<MediaJob, MediaJobOutcome>;
  /** Starts taking jobs. */
  start(): void;
  /**
   * Stops taking jobs and waits up to `timeoutMs` for the running ones. Resolves false when some were still
   * running: they are abandoned, and return to the queue when their locks expire.
   */
  close(timeoutMs: number): Promise<boolean>;
}

export function createMediaWorker(options: MediaWorkerOptions): MediaWorker {
  const { logger, metrics } = options;
  const active = new Set<string>();
  const bookkeeping = new Set<Promise<void>>();

  const processor = async (job: Job<MediaJob, MediaJobOutcome>): Promise<MediaJobOutcome> => {
    const started = performance.now();
    const jobId = job.id ?? "";
    active.add(jobId);
    const done = (result: JobResult) => {
      metrics.jobs.inc({ result });
      metrics.jobDuration.observe({ result }, (performance.now() - started) / 1000);
      active.delete(jobId);
      return Math.round(performance.now() - started);
    };
    try {
      const outcome = await processMediaJob(options.job, job);
      const ms = done(outcome.result);
      logger.info({ jobId, ...outcome, ms }, outcome.result === "ready" ? "media ready" : "media job had nothing to do");
      return outcome;
    } catch (error) {
      const final = error instanceof UnrecoverableError || isLastAttempt(job);
      const ms = done(final ? "failed" : "retried");
      const context = { err: error, jobId, attempt: job.attemptsMade + 1, ms };
      if (final) logger.error(context, "media job failed");
      else logger.warn(context, "media job attempt failed; BullMQ retries it");
      throw error;
    }
  };

  const worker = new Worker<MediaJob, MediaJobOutcome>(QUEUES.media, processor, {
    connection: options.connection,
    prefix: QUEUE_PREFIX,
    concurrency: options.concurrency,
    autorun: false,
    // Always explicit (lockDuration, stalledInterval, maxStalledCount), never BullMQ's defaults: see StallSettings.
    ...options.stall,
  });

  // Without a listener, an "error" event (Redis unreachable, a lock that could not be renewed) would crash the process.
  worker.on("error", (error) => logger.warn({ err: error }, "media worker error"));
  worker.on("stalled", (jobId) => logger.warn({ jobId }, "media job stalled: its worker stopped renewing the lock; back in the queue"));
  worker.on("failed", (job, error) => {
    // A job that stalled more than maxStalledCount times is failed by BullMQ as it is picked up, without reaching
    // the processor. Its image has probably crashed a worker each time, so the row is marked failed here;
    // otherwise the reconciler would bring it back. Every other failure was recorded by the processor.
    if (!job?.deferredFailure) return;
    metrics.jobs.inc({ result: "failed" });
    logger.error({ err: error, jobId: job.id, stalls: job.stalledCounter }, "media job failed after stalling too often");
    const mediaId = mediaJobSchema.safeParse(job.data).data?.mediaId;
    if (!mediaId) return;
    const marking = mediaRepo
      .markFailed(options.job.pool, mediaId, `processing stopped unexpectedly ${job.stalledCounter} times (worker crashed or was killed)`)
      .then(
        () => undefined,
        (markError: unknown) => logger.warn({ err: markError, mediaId }, "could not mark media failed; the reconciler will retry it"),
      )
      .finally(() => bookkeeping.delete(marking));
    bookkeeping.add(marking);
  });

  return {
    worker,
    start() {
      worker.run().catch((error: unknown) => logger.error({ err: error }, "media worker stopped"));
    },
    async close(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
      const finished = await Promise.race([worker.close().then(() => true as const), deadline]);
      clearTimeout(timer);
      if (!finished) {
        logger.warn({ timeoutMs, abandoned: [...active] }, "jobs still running at the drain deadline; they return to the queue when their locks expire");
      }
      await Promise.allSettled(bookkeeping);
      return finished;
    },
  };
}

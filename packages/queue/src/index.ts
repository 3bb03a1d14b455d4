/**
 * Everything both sides of the media queue must agree on: the queue name, the payload schema,
 * how job ids are made, default job options and how each side connects to Redis.
 * See docs/adr for why producers fail fast and workers wait forever.
 */
import { Queue, type JobsOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { Gauge, type Registry } from "prom-client";
import { z } from "zod";

export const QUEUE_PREFIX = "folio";

export const QUEUES = {
  media: "media",
} as const;

export const mediaJobSchema = z.strictObject({
  mediaId: z.uuid(),
});
export type MediaJob = z.infer<typeof mediaJobSchema>;

/**
 * One job per media item: BullMQ ignores an add() whose id already exists, so re-enqueueing
 * (an API retry, the reconciler) cannot create a second job while the first is still known.
 * BullMQ job ids must not contain ":" (it separates parts of Redis keys).
 */
export function mediaJobId(mediaId: string): string {
  return `media-${mediaId}`;
}

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  // 2s, 4s, 8s, 16s between attempts, each with jitter so a burst of failures does not retry in lockstep.
  backoff: { type: "exponential", delay: 2_000, jitter: 0.5 },
  // Bounded history: enough to inspect recent work, never an unbounded Redis memory leak.
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5_000 },
};

/**
 * Producers (the API): fail fast. With no offline queue and one retry per command, an enqueue while Redis is
 * down errors within `connectTimeout` instead of waiting in memory, where a crash would lose it silently.
 */
export function producerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...options,
  });
}

/** Workers: blocking commands must be retried forever, which BullMQ requires (maxRetriesPerRequest: null). */
export function workerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(attempt * 500, 5_000),
    ...options,
  });
}

/**
 * Pub/sub subscribers (the API's public-cache invalidations): neither of the above. A subscriber sends almost
 * nothing and nothing a request waits for; what matters is that it is subscribed again after every reconnect,
 * and that none of its commands can reject a promise that nobody holds:
 * - the offline queue on and no per-command retry limit: a SUBSCRIBE issued, or still unanswered, while the
 *   connection is down waits for the next connection. With the producer's options it failed instead, with
 *   "Stream isn't writeable and enableOfflineQueue options is false", or with "max retries per request" after
 *   two failed reconnection attempts;
 * - autoResubscribe off: ioredis re-subscribes by itself on every reconnect with a promise no caller holds, so
 *   its failure (the connection closed again during the handshake: Redis flapping, or our own shutdown) was an
 *   unhandled rejection, which ends a Node process by default. The owner subscribes on every "ready" instead,
 *   where it can handle a failure (PublicCache in @folio/cache does);
 * - no command timeout: a subscribed connection waits for messages, it does not wait for answers.
 * See docs/adr/0020-unhandled-rejections-and-uncaught-exceptions.md.
 */
export function subscriberConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    autoResubscribe: false,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...options,
  });
}

/**
 * Closes a connection at shutdown, whatever its preset: QUIT while it is connected (Redis answers once the
 * commands sent before it are done), for at most `timeoutMs`, then disconnect. A QUIT sent while a connection
 * with an offline queue (a worker's, a subscriber's) is reconnecting would wait there for Redis to come back,
 * so a SIGTERM during a Redis outage would hold the shutdown until its deadline and end in exit 1.
 */
export async function closeRedis(connection: Redis, timeoutMs = 2_000): Promise<void> {
  if (connection.status === "ready") {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([connection.quit().catch(() => {}), timeout]);
    clearTimeout(timer);
  }
  connection.disconnect();
}

/**
 * Closes a queue whose connection it shares (ours always do). BullMQ's close() on a shared connection that is
 * still connecting removes its listeners but leaves its start-up running; when that start-up then fails (the
 * connection is closed next), BullMQ re-emits the failure with nobody listening, which is an unhandled rejection.
 * A job that finishes quickly (the cleanup's skipped run) hit it. So let the start-up settle first, for at most
 * `timeoutMs` (Redis may be down, and the start-up then waits for it).
 */
export async function closeQueue(queue: Queue, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([queue.waitUntilReady().then(
    () => {},
    () => {},
  ), timeout]);
  clearTimeout(timer);
  await queue.close();
}

export function createMediaQueue(connection: Redis): Queue<MediaJob> {
  return new Queue<MediaJob>(QUEUES.media, {
    connection,
    prefix: QUEUE_PREFIX,
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  });
}

/** Enqueues processing for one media item; idempotent by job id. */
export async function enqueueMedia(queue: Queue<MediaJob>, mediaId: string): Promise<void> {
  const payload = mediaJobSchema.parse({ mediaId });
  await queue.add("process", payload, { jobId: mediaJobId(mediaId) });
}

export type { Queue };

/**
 * Exposes the queue's job counts by state as a gauge, read at scrape time. The API and the worker both export
 * it; the worker's is what an autoscaler (KEDA, or an HPA on external metrics) would scale on.
 * While Redis is unreachable the series disappear rather than report stale numbers.
 */
export function registerQueueDepthGauge(registry: Registry, queue: Queue): void {
  new Gauge({
    name: "folio_queue_jobs",
    help: "Jobs in the media queue by state (absent while Redis is unreachable)",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      try {
        const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed", "completed");
        for (const [state, count] of Object.entries(counts)) this.set({ queue: queue.name, state }, count);
      } catch {
        this.reset();
      }
    },
  });
}

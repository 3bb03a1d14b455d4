/**
 * The reconciler: PostgreSQL says which media still needs processing, and the queue is made to agree.
 *
 * A media row stays `pending` until a job has made its variants. It can be pending with no job that will ever run:
 * the API committed the row but could not enqueue (Redis down), Redis lost its data, or BullMQ's history still
 * holds a finished job under the media's job id, which makes a new add() with that id a silent no-op. Every
 * RECONCILE_INTERVAL_MS, media pending for longer than RECONCILE_PENDING_AFTER_MS is looked up in the queue:
 *   - no job: enqueue one;
 *   - a failed or completed job (the row should then have left `pending`): remove it and enqueue a new one;
 *   - a waiting, delayed or active job: leave it alone.
 *
 * One replica at a time: a pass runs inside a transaction holding a PostgreSQL advisory lock, and a replica that
 * cannot take the lock skips its pass. See docs/adr/0010-reconciler.md.
 */
import { mediaRepo, withTransaction, type Pool } from "@folio/db";
import type { Logger } from "@folio/logger";
import { enqueueMedia, mediaJobId, type MediaJob, type Queue } from "@folio/queue";
import type { WorkerMetrics } from "./metrics.js";

/**
 * The advisory lock's name. Advisory locks share one key space per database; like the API's locks, the key is
 * hashtext() of a name under "folio:", so each lock only has to pick a distinct name.
 */
export const RECONCILER_LOCK = "folio:media:reconciler";

export interface ReconcilerSettings {
  intervalMs: number;
  pendingAfterMs: number;
  batchSize: number;
}

export interface ReconcilerDeps {
  pool: Pool;
  queue: Queue<MediaJob>;
  logger: Logger;
  metrics: Pick<WorkerMetrics, "reconcilerPasses" | "reconcilerEnqueued">;
}

export type PassResult = { ran: false } | { ran: true; examined: number; enqueued: number };

export class Reconciler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;

  constructor(
    private readonly deps: ReconcilerDeps,
    private readonly settings: ReconcilerSettings,
  ) {}

  /** Runs a pass now, then one every intervalMs (counted from the end of the previous one, so passes never overlap). */
  start(): void {
    const loop = async () => {
      this.#running = this.runOnce().catch((error: unknown) => {
        this.deps.metrics.reconcilerPasses.inc({ result: "error" });
        this.deps.logger.warn({ err: error }, "reconciler pass failed; trying again next interval");
      });
      await this.#running;
      if (!this.#stopped) this.#timer = setTimeout(loop, this.settings.intervalMs);
    };
    void loop();
  }

  /** Stops scheduling passes and waits for one in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One pass; `ran: false` when another replica holds the lock. */
  async runOnce(): Promise<PassResult> {
    const { pool, logger, metrics } = this.deps;
    const result = await withTransaction(pool, async (tx): Promise<PassResult> => {
      // Transaction-scoped: released by COMMIT or ROLLBACK, and by PostgreSQL if this process dies mid-pass, so it
      // can never stay behind on a pooled connection the way a session lock whose unlock was skipped would.
      const { rows } = await tx.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked", [RECONCILER_LOCK]);
      if (!rows[0]?.locked) return { ran: false };
      const stale = await mediaRepo.listStalePending(tx, this.settings.pendingAfterMs, this.settings.batchSize);
      let enqueued = 0;
      for (const media of stale) {
        const previous = await this.#ensureJob(media.id);
        if (previous === undefined) continue;
        enqueued++;
        metrics.reconcilerEnqueued.inc({ previous });
        logger.info({ mediaId: media.id, previous, pendingSince: media.updatedAt }, "reconciler enqueued media left pending");
      }
      return { ran: true, examined: stale.length, enqueued };
    });
    metrics.reconcilerPasses.inc({ result: result.ran ? "done" : "skipped" });
    if (result.ran && result.enqueued > 0) logger.info(result, "reconciler pass done");
    return result;
  }

  /** Makes sure a job that will run exists; returns what was there before when it enqueued, undefined otherwise. */
  async #ensureJob(mediaId: string): Promise<"none" | "failed" | "completed" | undefined> {
    const { queue } = this.deps;
    const job = await queue.getJob(mediaJobId(mediaId));
    let previous: "none" | "failed" | "completed" = "none";
    if (job) {
      const state = await job.getState();
      // "unknown": the job's hash outlived its place in any list; as good as gone.
      if (state !== "failed" && state !== "completed" && state !== "unknown") return undefined;
      previous = state === "completed" ? "completed" : state === "failed" ? "failed" : "none";
      // Throws if a worker took the job meanwhile (it is locked): the pass fails and the next one looks again.
      await job.remove();
    }
    await enqueueMedia(queue, mediaId);
    return previous;
  }
}

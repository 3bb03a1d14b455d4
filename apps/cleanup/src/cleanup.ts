/**
 * The cleanup use case: six purges, run one after the other, each in batches.
 *
 * - Every batch is its own transaction (one DELETE that checks its condition again), so stopping between
 *   batches, or dying inside one, leaves consistent data. Nothing records progress: what is done is gone,
 *   and the next run simply finds what is left.
 * - Where a row and objects go together, the objects go first. A crash between the two leaves a row whose
 *   objects are already gone, which the next run finds and finishes; never an object nobody can find.
 * - A purge that fails is logged and reported, and the others still run: an S3 outage should not keep
 *   expired idempotency keys around.
 * - Retention cut-offs are computed once, from the run's clock, at the start. The database and S3 stamp
 *   their own times; a few seconds of clock skew do not matter against hours and days.
 *
 * See docs/adr/0011-cleanup-job.md.
 */
import { cleanupRepo, idempotencyRepo, type Pool, type SweepKey } from "@folio/db";
import type { Logger } from "@folio/logger";
import type { ObjectInfo, Storage } from "@folio/storage";

export const CATEGORIES = [
  "trashedArticles",
  "deletedMedia",
  "orphanObjects",
  "abandonedUploads",
  "expiredIdempotencyKeys",
  "finishedJobs",
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Counts {
  trashedArticles: number;
  deletedMedia: number;
  /** The objects of those media items. */
  deletedMediaObjects: number;
  orphanObjects: number;
  abandonedUploads: number;
  expiredIdempotencyKeys: number;
  completedJobs: number;
  failedJobs: number;
}

export type FinishedJobState = "completed" | "failed";

/** The media queue's history of finished jobs, as far as cleanup needs it (BullMQ in job-history.ts). */
export interface JobHistory {
  count(state: FinishedJobState, finishedBefore: Date): Promise<number>;
  /** Removes up to `limit` jobs that finished before the cut-off; returns how many it removed. */
  remove(state: FinishedJobState, finishedBefore: Date, limit: number): Promise<number>;
}

export interface CleanupDeps {
  pool: Pool;
  storage: Pick<Storage, "list" | "head" | "delete">;
  jobs: JobHistory;
  logger: Logger;
  /** The run's "now". Tests move it forward instead of waiting. */
  clock?: () => Date;
}

export interface CleanupOptions {
  dryRun: boolean;
  batchSize: number;
  trashRetentionMs: number;
  orphanGraceMs: number;
  queueRetentionMs: number;
  /** When aborted, the run finishes the batch in progress and stops. */
  signal?: AbortSignal;
}

export interface CleanupReport {
  counts: Counts;
  /** Stopped by the signal with work left; the next run continues. */
  interrupted: boolean;
  /** Purges that failed (the others still ran). */
  failed: Category[];
}

export function emptyCounts(): Counts {
  return {
    trashedArticles: 0,
    deletedMedia: 0,
    deletedMediaObjects: 0,
    orphanObjects: 0,
    abandonedUploads: 0,
    expiredIdempotencyKeys: 0,
    completedJobs: 0,
    failedJobs: 0,
  };
}

/** Every object of a media item lives under `media/<mediaId>/` (mediaKeys in @folio/storage). */
const MEDIA_ROOT = "media/";

interface Run {
  deps: CleanupDeps;
  options: CleanupOptions;
  logger: Logger;
  counts: Counts;
  trashedBefore: Date;
  /** Objects without a row, and pending rows without an original, must be older than this. */
  abandonedBefore: Date;
  jobsFinishedBefore: Date;
}

export async function runCleanup(deps: CleanupDeps, options: CleanupOptions): Promise<CleanupReport> {
  const now = (deps.clock ?? (() => new Date()))().getTime();
  const run: Run = {
    deps,
    options,
    logger: deps.logger.child({ dryRun: options.dryRun }),
    counts: emptyCounts(),
    trashedBefore: new Date(now - options.trashRetentionMs),
    abandonedBefore: new Date(now - options.orphanGraceMs),
    jobsFinishedBefore: new Date(now - options.queueRetentionMs),
  };
  const purges: Record<Category, (run: Run) => Promise<boolean>> = {
    trashedArticles: purgeTrashedArticles,
    deletedMedia: purgeDeletedMedia,
    orphanObjects: purgeOrphanObjects,
    abandonedUploads: purgeAbandonedUploads,
    expiredIdempotencyKeys: purgeExpiredIdempotencyKeys,
    finishedJobs: purgeFinishedJobs,
  };

  const report: CleanupReport = { counts: run.counts, interrupted: false, failed: [] };
  for (const category of CATEGORIES) {
    if (options.signal?.aborted) {
      report.interrupted = true;
      break;
    }
    try {
      const finished = await purges[category](run);
      if (!finished) report.interrupted = true;
    } catch (error) {
      run.logger.error({ err: error, category }, "purge failed; going on with the next one");
      report.failed.push(category);
    }
  }
  return report;
}

/**
 * Calls `batch` until it reports that nothing is left, checking for a stop request between batches (never
 * inside one). Returns false when it stopped early.
 */
async function inBatches(run: Run, batch: () => Promise<{ more: boolean }>): Promise<boolean> {
  for (;;) {
    if (run.options.signal?.aborted) return false;
    if (!(await batch()).more) return true;
  }
}

function logBatch(run: Run, category: Category, details: Record<string, unknown>): void {
  run.logger.info({ category, ...details }, run.options.dryRun ? "would purge" : "purged");
}

/** (1) Articles in the trash for longer than the retention, with their revisions (ON DELETE CASCADE). */
async function purgeTrashedArticles(run: Run): Promise<boolean> {
  const { pool } = run.deps;
  const { batchSize, dryRun } = run.options;
  let after: SweepKey | undefined;
  return inBatches(run, async () => {
    const batch = await cleanupRepo.listExpiredTrash(pool, run.trashedBefore, after, batchSize);
    if (batch.length === 0) return { more: false };
    after = batch.at(-1)!.key;
    const ids = batch.map((item) => item.id);
    const purged = dryRun ? ids : await cleanupRepo.deleteExpiredTrash(pool, ids, run.trashedBefore);
    run.counts.trashedArticles += purged.length;
    logBatch(run, "trashedArticles", { count: purged.length, ids: purged });
    return { more: batch.length === batchSize };
  });
}

/** (2) Media marked deleted: the objects under `media/<id>/` first, then the row. */
async function purgeDeletedMedia(run: Run): Promise<boolean> {
  const { pool, storage } = run.deps;
  const { batchSize, dryRun } = run.options;
  let after: SweepKey | undefined;
  return inBatches(run, async () => {
    const batch = await cleanupRepo.listDeletedMedia(pool, after, batchSize);
    if (batch.length === 0) return { more: false };
    after = batch.at(-1)!.key;
    const ids = batch.map((item) => item.id);
    const keys: string[] = [];
    for (const id of ids) {
      for await (const object of storage.list(`${MEDIA_ROOT}${id}/`)) keys.push(object.key);
    }
    let purged = ids;
    if (!dryRun) {
      await storage.delete(keys);
      purged = await cleanupRepo.deleteDeletedMedia(pool, ids);
    }
    run.counts.deletedMedia += purged.length;
    run.counts.deletedMediaObjects += keys.length;
    logBatch(run, "deletedMedia", { count: purged.length, objects: keys.length, ids: purged });
    return { more: batch.length === batchSize };
  });
}

/**
 * (3) Objects under `media/` whose media id has no row, once older than the grace period: an upload writes
 * its object before its row, so a young object without a row may be an upload in progress.
 */
async function purgeOrphanObjects(run: Run): Promise<boolean> {
  const { pool, storage } = run.deps;
  const { batchSize, dryRun } = run.options;
  let startAfter: string | undefined;
  return inBatches(run, async () => {
    const objects = await take(storage.list(MEDIA_ROOT, startAfter), batchSize);
    if (objects.length === 0) return { more: false };
    startAfter = objects.at(-1)!.key;
    const existing = await cleanupRepo.existingMediaIds(pool, [...new Set(objects.map(mediaIdOf))]);
    const orphans = objects
      .filter((object) => !existing.has(mediaIdOf(object)))
      // No timestamp means no proof of age: keep it.
      .filter((object) => object.lastModified !== undefined && object.lastModified < run.abandonedBefore)
      .map((object) => object.key);
    if (orphans.length > 0) {
      if (!dryRun) await storage.delete(orphans);
      run.counts.orphanObjects += orphans.length;
      logBatch(run, "orphanObjects", { count: orphans.length, keys: orphans });
    }
    return { more: objects.length === batchSize };
  });
}

/** `media/<id>/…` → `<id>`, lower-cased as Postgres prints UUIDs, so a key never misses its row on case alone. */
function mediaIdOf(object: ObjectInfo): string {
  return (object.key.slice(MEDIA_ROOT.length).split("/")[0] ?? "").toLowerCase();
}

async function take<T>(items: AsyncIterable<T>, limit: number): Promise<T[]> {
  const taken: T[] = [];
  for await (const item of items) {
    taken.push(item);
    if (taken.length >= limit) break;
  }
  return taken;
}

/**
 * (4) Pending media whose original object does not exist, once older than the grace period: the upload
 * never completed. A pending row whose original does exist is the worker's reconciler's business.
 */
async function purgeAbandonedUploads(run: Run): Promise<boolean> {
  const { pool, storage } = run.deps;
  const { batchSize, dryRun } = run.options;
  let after: SweepKey | undefined;
  return inBatches(run, async () => {
    const batch = await cleanupRepo.listStalePendingUploads(pool, run.abandonedBefore, after, batchSize);
    if (batch.length === 0) return { more: false };
    after = batch.at(-1)!.key;
    const abandoned: string[] = [];
    for (const upload of batch) {
      if (!(await storage.head(upload.originalKey))) abandoned.push(upload.id);
    }
    if (abandoned.length > 0) {
      const purged = dryRun ? abandoned : await cleanupRepo.deleteStalePendingUploads(pool, abandoned, run.abandonedBefore);
      run.counts.abandonedUploads += purged.length;
      logBatch(run, "abandonedUploads", { count: purged.length, ids: purged });
    }
    return { more: batch.length === batchSize };
  });
}

/** (5) Idempotency keys past their expiry (expires_at, stamped by Postgres, compared with its clock). */
async function purgeExpiredIdempotencyKeys(run: Run): Promise<boolean> {
  const { pool } = run.deps;
  const { batchSize, dryRun } = run.options;
  if (dryRun) {
    const expired = await cleanupRepo.countExpiredIdempotencyKeys(pool);
    run.counts.expiredIdempotencyKeys = expired;
    if (expired > 0) logBatch(run, "expiredIdempotencyKeys", { count: expired });
    return true;
  }
  return inBatches(run, async () => {
    const purged = await idempotencyRepo.purgeExpired(pool, batchSize);
    run.counts.expiredIdempotencyKeys += purged;
    if (purged > 0) logBatch(run, "expiredIdempotencyKeys", { count: purged });
    return { more: purged === batchSize };
  });
}

/**
 * (6) Completed and failed media jobs older than the queue retention. BullMQ trims its history as later jobs
 * finish (removeOnComplete/removeOnFail in @folio/queue); this catches what that leaves behind.
 */
async function purgeFinishedJobs(run: Run): Promise<boolean> {
  const { jobs } = run.deps;
  const { batchSize, dryRun } = run.options;
  for (const state of ["completed", "failed"] as const) {
    const counter = state === "completed" ? "completedJobs" : "failedJobs";
    if (dryRun) {
      const old = await jobs.count(state, run.jobsFinishedBefore);
      run.counts[counter] = old;
      if (old > 0) logBatch(run, "finishedJobs", { state, count: old });
      continue;
    }
    const finished = await inBatches(run, async () => {
      const removed = await jobs.remove(state, run.jobsFinishedBefore, batchSize);
      run.counts[counter] += removed;
      if (removed > 0) logBatch(run, "finishedJobs", { state, count: removed });
      return { more: removed === batchSize };
    });
    if (!finished) return false;
  }
  return true;
}

/**
 * One media job: the original in S3 becomes variants in S3, and the media row becomes `ready` (or `failed`).
 *
 * Every step can run twice (a stalled job is retried, the reconciler re-enqueues, BullMQ forgets a finished job)
 * without changing the outcome:
 *   - variant keys are fixed by media id and variant name, so a second run overwrites the first one's objects;
 *   - markReady and markFailed move only a `pending` row, so the first run to finish decides the final state;
 *   - a missing, deleted or already finished row means there is nothing to do.
 *
 * Failures are sorted in two:
 *   - permanent (the image is corrupt or unsupported, the original object is gone, the payload is invalid): the row
 *     is marked failed now and UnrecoverableError tells BullMQ not to retry;
 *   - anything else is rethrown, so BullMQ retries with DEFAULT_JOB_OPTIONS' backoff. After the last attempt the
 *     row is marked failed, except when PostgreSQL or S3 was unreachable: the image is probably fine, so the row
 *     stays pending and the reconciler enqueues it again later (docs/adr/0010-reconciler.md).
 */
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { UnrecoverableError, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { invalidatePublicCache } from "@folio/cache";
import { articlesRepo, isDatabaseUnavailable, mediaRepo, type MediaVariant, type Pool } from "@folio/db";
import type { Logger } from "@folio/logger";
import { mediaJobSchema } from "@folio/queue";
import { isNotFound, mediaKeys, StorageUnavailableError, type Storage } from "@folio/storage";
import { InvalidImageError, openImage, type OpenedImage, type Variant } from "./processor.js";
import { withScratchDir } from "./scratch.js";

export interface MediaJobDeps {
  pool: Pool;
  storage: Storage;
  /** A fail-fast Redis connection, for invalidating the public cache. */
  cache: Redis;
  logger: Logger;
  scratchDir: string;
  maxPixels: number;
}

/** The parts of a BullMQ job this needs; tests pass plain objects. */
export type MediaJobLike = Pick<Job<unknown>, "id" | "data" | "attemptsMade" | "opts">;

export type MediaJobOutcome =
  | { result: "ready"; mediaId: string; variants: number }
  | { result: "skipped"; mediaId: string; reason: string };

export async function processMediaJob(deps: MediaJobDeps, job: MediaJobLike): Promise<MediaJobOutcome> {
  const payload = mediaJobSchema.safeParse(job.data);
  if (!payload.success) throw new UnrecoverableError(`invalid payload: ${payload.error.message}`);
  const { mediaId } = payload.data;
  const { pool, storage, logger } = deps;

  const media = await mediaRepo.findById(pool, mediaId);
  if (!media) return { result: "skipped", mediaId, reason: "no such media" };
  if (media.status !== "pending") return { result: "skipped", mediaId, reason: `media is ${media.status}` };

  let result: { width: number; height: number; variants: MediaVariant[] };
  try {
    result = await withScratchDir(deps.scratchDir, async (dir) => {
      const file = join(dir, "original");
      await download(storage, media.originalKey, file);
      const image = await openImage(file, { maxPixels: deps.maxPixels });
      return { width: image.width, height: image.height, variants: await storeVariants(storage, mediaId, image) };
    });
  } catch (error) {
    throw await recordFailure(deps, job, mediaId, error);
  }
  const { variants } = result;

  // A failure from here on (PostgreSQL down) is retried by BullMQ: the variants are stored, and the next attempt
  // overwrites them with the same bytes.
  const marked = await mediaRepo.markReady(pool, mediaId, result);
  if (!marked) {
    // The row changed while we worked: deleted (then our objects are orphans), or finished by a twin of this job
    // (then its row points at the very keys we just wrote, which must stay).
    const now = await mediaRepo.findById(pool, mediaId);
    if (!now || now.status === "deleted") {
      await storage.delete(variants.map((variant) => variant.key)).catch((error: unknown) => {
        logger.warn({ err: error, mediaId }, "variants of deleted media left for cleanup");
      });
    }
    return { result: "skipped", mediaId, reason: `media became ${now?.status ?? "missing"} while processing` };
  }

  // The public API shows media only as the cover of a published article; then its cached pages must pick up the
  // variants. Asked after markReady committed, so there is no gap: an article that takes this cover later
  // invalidates the cache itself after its own commit, and the pages it refills then see the media ready.
  // Invalidating for every image would empty every API replica's in-process cache once per upload.
  // If the question cannot be answered, invalidate anyway: a retry of this job would find the row ready and skip.
  const shown = await articlesRepo.isPublishedCover(pool, mediaId).catch((error: unknown) => {
    logger.warn({ err: error, mediaId }, "could not tell whether an article shows this media; invalidating the public cache anyway");
    return true;
  });
  if (shown) {
    try {
      await invalidatePublicCache(deps.cache);
    } catch (error) {
      logger.warn({ err: error, mediaId }, "could not invalidate the public cache; pages refresh when their TTL ends");
    }
  }
  return { result: "ready", mediaId, variants: variants.length };
}

/** Streams the object to `file`. A missing object is a NotFound error; a cut-off transfer counts as an S3 outage. */
async function download(storage: Storage, key: string, file: string): Promise<void> {
  const object = await storage.get(key);
  let readError: unknown;
  object.body.once("error", (error) => (readError = error));
  try {
    await pipeline(object.body, createWriteStream(file, { flags: "wx" }));
  } catch (error) {
    throw readError ? new StorageUnavailableError(readError) : error;
  }
}

/**
 * Writes every variant under its fixed key, each upload starting as soon as its variant is encoded, so the network
 * time hides behind the next encode. Waits for every upload it started, even after a failure, so none outlives
 * the job.
 */
async function storeVariants(storage: Storage, mediaId: string, image: OpenedImage): Promise<MediaVariant[]> {
  const uploads: Promise<PromiseSettledResult<MediaVariant>>[] = [];
  const upload = async ({ spec, width, height, data }: Variant): Promise<MediaVariant> => {
    const key = mediaKeys.variant(mediaId, spec.name, spec.extension);
    await storage.put(key, data, spec.contentType);
    return { name: spec.name, key, contentType: spec.contentType, width, height, bytes: data.length };
  };
  try {
    // Settled results, so an upload that fails while the next variant is encoded is not an unhandled rejection.
    for await (const variant of image.variants()) uploads.push(settle(upload(variant)));
  } catch (error) {
    await Promise.all(uploads); // the uploads already started finish before the job fails
    throw error;
  }
  const settled = await Promise.all(uploads);
  const failed = settled.find((outcome) => outcome.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<MediaVariant>).value);
}

function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then(
    (value) => ({ status: "fulfilled", value }),
    (reason: unknown) => ({ status: "rejected", reason }),
  );
}

/** True when this attempt is the job's last one: BullMQ's own test in Job.shouldRetryJob. */
export function isLastAttempt(job: MediaJobLike): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** PostgreSQL or S3 unreachable: nothing is wrong with the image, and trying again later can succeed. */
export function isDependencyUnavailable(error: unknown): boolean {
  return error instanceof StorageUnavailableError || isDatabaseUnavailable(error);
}

/**
 * Marks the row failed when the failure is final, and returns the error for BullMQ: UnrecoverableError when
 * retrying cannot help. If marking the row fails (PostgreSQL is down), that error is returned instead, so the job
 * is retried and the next attempt records the outcome.
 */
async function recordFailure(deps: MediaJobDeps, job: MediaJobLike, mediaId: string, error: unknown): Promise<unknown> {
  const permanent = permanentReason(error);
  if (permanent) {
    // The reason is for the uploader; the detail (libvips's output, with our scratch paths) is for us.
    deps.logger.warn({ err: error, mediaId, reason: permanent }, "media failed for good");
    await mediaRepo.markFailed(deps.pool, mediaId, permanent);
    return new UnrecoverableError(permanent);
  }
  if (isLastAttempt(job)) {
    if (isDependencyUnavailable(error)) {
      deps.logger.warn({ err: error, mediaId }, "last attempt failed on an unavailable dependency; left pending for the reconciler");
    } else {
      // An unexpected error is ours, not the image's: its message (a path, a stack) means nothing to the uploader.
      deps.logger.error({ err: error, mediaId, attempts: job.attemptsMade + 1 }, "media failed after its last attempt");
      await mediaRepo.markFailed(deps.pool, mediaId, `Processing failed after ${job.attemptsMade + 1} attempts. Upload the image again, or report it if that fails too.`);
    }
  }
  return error;
}

function permanentReason(error: unknown): string | undefined {
  if (error instanceof InvalidImageError) return error.message;
  if (isNotFound(error)) return "The original file is missing from storage: upload the image again.";
  return undefined;
}

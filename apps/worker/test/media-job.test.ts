/**
 * Media jobs end to end inside this process: a real BullMQ worker built as main.ts builds it, against real
 * PostgreSQL, Redis and S3. What the row and the bucket hold afterwards is the assertion.
 */
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import sharp from "sharp";
import { UnrecoverableError } from "bullmq";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mediaRepo } from "@folio/db";
import { createStorage, mediaKeys, StorageUnavailableError, type Storage } from "@folio/storage";
import { waitFor } from "@folio/testkit";
import { createRegistry } from "@folio/http-kit";
import { createLogger } from "@folio/logger";
import { processMediaJob, type MediaJobDeps } from "../src/media-job.js";
import { createWorkerMetrics } from "../src/metrics.js";
import { createHarness, type Harness } from "./harness.js";
import { makeJpeg, makeTruncatedJpeg } from "./images.js";

let h: Harness;
let landscape: Buffer;

beforeAll(async () => {
  h = await createHarness();
  landscape = await makeJpeg({ width: 2400, height: 1600 });
});
afterAll(async () => {
  await h?.close();
});
// Tests that start their own workers must not leave them to take the next test's jobs.
afterEach(async () => {
  await h.stopWorkers();
});

/** A job as BullMQ hands it to the processor, for calling processMediaJob directly. */
const attempt = (mediaId: string, attemptsMade = 0) => ({ id: `media-${mediaId}`, data: { mediaId }, attemptsMade, opts: { attempts: 5 } });

async function bytesOf(storage: Storage, key: string): Promise<{ contentType?: string; data: Buffer }> {
  const object = await storage.get(key);
  const chunks: Buffer[] = [];
  for await (const chunk of object.body) chunks.push(chunk as Buffer);
  return { contentType: object.contentType, data: Buffer.concat(chunks) };
}

const generation = async () => Number((await h.redis.get("folio:public:generation")) ?? 0);

/** An article (as the API would store it) whose cover is `mediaId`. */
async function articleWithCover(mediaId: string, status: "draft" | "published"): Promise<void> {
  await h.pool.query(
    "INSERT INTO articles (slug, title, cover_media_id, status, published_at) VALUES ($1, 'With a cover', $2, $3::article_status, CASE WHEN $3::article_status = 'published' THEN now() END)",
    [`cover-${mediaId}`, mediaId, status],
  );
}

describe("the media worker", () => {
  beforeEach(async () => {
    await h.startWorker();
  });

  it("when a pending JPEG is enqueued, then four variants are stored, the row is ready with their sizes, and the public cache is left alone (only a draft uses it)", async () => {
    const mediaId = await h.createMedia(landscape);
    await articleWithCover(mediaId, "draft");
    const generationBefore = await generation();

    await h.enqueue(mediaId);
    const media = await h.settled(mediaId);

    expect(media).toMatchObject({ status: "ready", width: 2400, height: 1600, failureReason: null });
    expect(media.variants.map(({ name, key, contentType, width, height }) => ({ name, key, contentType, width, height }))).toEqual([
      { name: "display", key: mediaKeys.variant(mediaId, "display", "jpg"), contentType: "image/jpeg", width: 1280, height: 853 },
      { name: "display-webp", key: mediaKeys.variant(mediaId, "display-webp", "webp"), contentType: "image/webp", width: 1280, height: 853 },
      { name: "thumb", key: mediaKeys.variant(mediaId, "thumb", "jpg"), contentType: "image/jpeg", width: 320, height: 213 },
      { name: "thumb-webp", key: mediaKeys.variant(mediaId, "thumb-webp", "webp"), contentType: "image/webp", width: 320, height: 213 },
    ]);
    for (const variant of media.variants) {
      const stored = await bytesOf(h.storage, variant.key);
      const metadata = await sharp(stored.data).metadata();
      expect({ contentType: stored.contentType, bytes: stored.data.length, width: metadata.width, height: metadata.height }).toEqual({
        contentType: variant.contentType,
        bytes: variant.bytes,
        width: variant.width,
        height: variant.height,
      });
    }
    expect(await h.objectKeys(mediaId)).toHaveLength(5);
    expect(await generation()).toBe(generationBefore);
    expect(await h.scratchEntries()).toEqual([]);
    expect((await h.job(mediaId))?.returnvalue).toEqual({ result: "ready", mediaId, variants: 4 });
  });

  it("when the media is a published article's cover, then the public cache is invalidated once it is ready", async () => {
    const mediaId = await h.createMedia(landscape);
    await articleWithCover(mediaId, "published");
    const generationBefore = await generation();

    await h.enqueue(mediaId);
    expect((await h.settled(mediaId)).status).toBe("ready");
    expect(await generation()).toBeGreaterThan(generationBefore);
  });

  it("when the bytes are corrupt, then the job fails after one attempt, without retries, and the row is failed with the reason", async () => {
    const mediaId = await h.createMedia(await makeTruncatedJpeg());

    await h.enqueue(mediaId);
    const media = await h.settled(mediaId);

    expect(media.status).toBe("failed");
    expect(media.failureReason).toBe("The image could not be decoded: it is corrupt or truncated.");
    const job = await waitFor(async () => ((await (await h.job(mediaId))?.isFailed()) ? h.job(mediaId) : undefined), { description: "the job to fail" });
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toBe(media.failureReason);
    expect(await h.objectKeys(mediaId)).toEqual([mediaKeys.original(mediaId)]);
    expect(await h.scratchEntries()).toEqual([]);
  });

  it("when an image cannot be used, then the reason is one short sentence for the uploader, and the worker's log keeps libvips's detail", async () => {
    const logged: { msg: string; err?: { message?: string; cause?: { message?: string } }; reason?: string }[] = [];
    const logger = createLogger({ name: "worker-test", level: "info" }, new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) logged.push(JSON.parse(line));
        done();
      },
    }));
    const tiff = await sharp({ create: { width: 10, height: 10, channels: 3, background: "#888" } }).tiff().toBuffer();
    const cases = [
      [await makeTruncatedJpeg(), "The image could not be decoded: it is corrupt or truncated."],
      [Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), Buffer.from("not really a PNG")]), "The file could not be read as an image: it is corrupt, truncated or not an image."],
      [tiff, "The image format is not supported: upload a JPEG, PNG, GIF, WebP or AVIF image."],
    ] as const;
    for (const [bytes, reason] of cases) {
      const mediaId = await h.createMedia(bytes);
      await expect(processMediaJob({ ...h.jobDeps, logger }, attempt(mediaId))).rejects.toBeInstanceOf(UnrecoverableError);
      const media = await mediaRepo.findById(h.pool, mediaId);
      expect(media?.failureReason).toBe(reason);
      expect(media?.failureReason).not.toMatch(/\n|\/|Vips/); // one line, no path, no libvips
    }
    // libvips's own words, which the reason leaves out, are in the log for whoever investigates.
    const decodeFailure = logged.find((line) => line.reason === cases[0][1]);
    expect(decodeFailure?.msg).toBe("media failed for good");
    expect(JSON.stringify(decodeFailure?.err)).toMatch(/premature end/i);
  });

  it("when the original object is missing, then the job fails at once and the row is failed", async () => {
    const mediaId = randomUUID();
    await mediaRepo.create(h.pool, { id: mediaId, ownerId: null, filename: "gone.jpg", contentType: "image/jpeg", sizeBytes: 10, originalKey: mediaKeys.original(mediaId) });

    await h.enqueue(mediaId);

    expect(await h.settled(mediaId)).toMatchObject({ status: "failed", failureReason: "The original file is missing from storage: upload the image again." });
    await waitFor(async () => (await h.job(mediaId))?.isFailed(), { description: "the job to fail" });
    expect((await h.job(mediaId))?.attemptsMade).toBe(1);
  });

  it("when the media row does not exist, then the job completes without doing anything", async () => {
    const mediaId = randomUUID();

    await h.enqueue(mediaId);

    const job = await waitFor(async () => ((await (await h.job(mediaId))?.isCompleted()) ? h.job(mediaId) : undefined), { description: "the job to complete" });
    expect(job.returnvalue).toEqual({ result: "skipped", mediaId, reason: "no such media" });
    expect(await h.objectKeys(mediaId)).toEqual([]);
  });

  it("when the media was deleted before its job ran, then the job completes without making variants", async () => {
    const mediaId = await h.createMedia(landscape);
    await mediaRepo.markDeleted(h.pool, mediaId);

    await h.enqueue(mediaId);

    const job = await waitFor(async () => ((await (await h.job(mediaId))?.isCompleted()) ? h.job(mediaId) : undefined), { description: "the job to complete" });
    expect(job.returnvalue).toMatchObject({ result: "skipped", reason: "media is deleted" });
    expect(await h.objectKeys(mediaId)).toEqual([mediaKeys.original(mediaId)]);
  });
});

describe("processing the same media more than once", () => {
  it("when two runs of one job overlap, then one set of variants and one final state remain, and a later run changes nothing", async () => {
    const mediaId = await h.createMedia(landscape);

    const outcomes = await Promise.all([processMediaJob(h.jobDeps, attempt(mediaId)), processMediaJob(h.jobDeps, attempt(mediaId))]);
    const first = await mediaRepo.findById(h.pool, mediaId);
    const again = await processMediaJob(h.jobDeps, attempt(mediaId));

    expect(outcomes.map((outcome) => outcome.result).sort()).toEqual(["ready", "skipped"]);
    expect(again).toEqual({ result: "skipped", mediaId, reason: "media is ready" });
    expect(first?.status).toBe("ready");
    expect(await mediaRepo.findById(h.pool, mediaId)).toEqual(first);
    expect(await h.objectKeys(mediaId)).toEqual(
      [mediaKeys.original(mediaId), ...first!.variants.map((variant) => variant.key)].sort(),
    );
    // Both runs wrote the same keys: the row's sizes describe the objects whichever run's write landed last.
    for (const variant of first!.variants) expect((await bytesOf(h.storage, variant.key)).data.length).toBe(variant.bytes);
  });

  it("when the media is deleted while its variants are being stored, then the job leaves the row deleted and removes those variants", async () => {
    const mediaId = await h.createMedia(landscape);
    let deleted = false;
    const deps: MediaJobDeps = {
      ...h.jobDeps,
      storage: {
        ...h.storage,
        async put(key, body, contentType) {
          if (!deleted) {
            deleted = true;
            await mediaRepo.markDeleted(h.pool, mediaId); // an editor deletes it right now
          }
          await h.storage.put(key, body, contentType);
        },
      },
    };

    const outcome = await processMediaJob(deps, attempt(mediaId));

    expect(outcome).toEqual({ result: "skipped", mediaId, reason: "media became deleted while processing" });
    expect((await mediaRepo.findById(h.pool, mediaId))?.status).toBe("deleted");
    expect(await h.objectKeys(mediaId)).toEqual([mediaKeys.original(mediaId)]);
  });

  it("when a worker dies during a job, then another worker takes the job once its lock expires, and the first run, finishing late, changes nothing", async () => {
    const mediaId = await h.createMedia(landscape);
    // Worker A stops inside the download until released.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const hanging: MediaJobDeps = {
      ...h.jobDeps,
      storage: { ...h.storage, get: (key) => ((entered = true), gate.then(() => h.storage.get(key))) },
    };
    const stall = { lockDuration: 1_000, stalledInterval: 500 };
    const aMetrics = createWorkerMetrics(createRegistry("worker-a"), h.queue);
    const a = await h.startWorker({ job: hanging, concurrency: 1, stall, metrics: aMetrics });

    await h.enqueue(mediaId);
    await waitFor(() => entered, { description: "worker A to start the job" });
    // As if A's pod were killed: its locks are no longer renewed. (A forced close abandons the running job.)
    await a.worker.close(true);
    // The stalled check is throttled queue-wide by a key that lives for the stalledInterval of the last worker to
    // check: the earlier tests' worker set it for 15 s. Production replicas share one setting; here B may check now.
    await h.redis.del(h.queue.keys["stalled-check"]!);
    await h.startWorker({ stall });

    const media = await h.settled(mediaId, 20_000);
    expect(media.status).toBe("ready");
    expect((await h.job(mediaId))?.stalledCounter).toBe(1);

    release();
    await waitFor(async () => (await aMetrics.jobs.get()).values.find((value) => value.labels.result === "skipped")?.value === 1, {
      description: "worker A's late run to end",
    });
    expect(await mediaRepo.findById(h.pool, mediaId)).toEqual(media);
    expect(await h.objectKeys(mediaId)).toHaveLength(5);
    expect(await h.scratchEntries()).toEqual([]);
  });
});

describe("a job that keeps killing its worker", () => {
  it("when a job has stalled more often than allowed, then BullMQ fails it without running it and the row is marked failed", async () => {
    const mediaId = await h.createMedia(landscape);
    let entered = false;
    const hanging: MediaJobDeps = { ...h.jobDeps, storage: { ...h.storage, get: () => ((entered = true), new Promise(() => {})) } };
    const a = await h.startWorker({ job: hanging, concurrency: 1, stall: { lockDuration: 1_000, stalledInterval: 500 } });
    await h.enqueue(mediaId);
    await waitFor(() => entered, { description: "worker A to start the job" });
    await a.worker.close(true);
    await h.redis.del(h.queue.keys["stalled-check"]!);

    // B allows no stall at all, so A's death is one too many.
    await h.startWorker({ stall: { lockDuration: 1_000, stalledInterval: 500, maxStalledCount: 0 } });

    const media = await h.settled(mediaId, 20_000);
    expect(media).toMatchObject({ status: "failed", failureReason: expect.stringMatching(/^processing stopped unexpectedly 1 times/) });
    expect(await h.objectKeys(mediaId)).toEqual([mediaKeys.original(mediaId)]);
  });
});

describe("failures", () => {
  it("when S3 is unreachable, then the attempt is rethrown for BullMQ to retry, and even after the last attempt the row stays pending", async () => {
    const mediaId = await h.createMedia(landscape);
    const down = createStorage({ endpoint: "http://127.0.0.1:9", region: "us-east-1", bucket: h.storage.bucket, accessKeyId: "x", secretAccessKey: "y", forcePathStyle: true, requestTimeoutMs: 500 });
    const deps = { ...h.jobDeps, storage: down };

    const first = await processMediaJob(deps, attempt(mediaId, 0)).catch((error: unknown) => error);
    const last = await processMediaJob(deps, attempt(mediaId, 4)).catch((error: unknown) => error);
    down.destroy();

    for (const error of [first, last]) {
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect(error).not.toBeInstanceOf(UnrecoverableError);
    }
    expect((await mediaRepo.findById(h.pool, mediaId))?.status).toBe("pending");
  });

  it("when an unexpected error fails the last attempt, then the row is marked failed; before the last attempt it stays pending", async () => {
    const mediaId = await h.createMedia(landscape);
    const deps = { ...h.jobDeps, scratchDir: `${h.scratchDir}/does-not-exist` };

    await expect(processMediaJob(deps, attempt(mediaId, 0))).rejects.toThrow(/ENOENT/);
    expect((await mediaRepo.findById(h.pool, mediaId))?.status).toBe("pending");
    await expect(processMediaJob(deps, attempt(mediaId, 4))).rejects.toThrow(/ENOENT/);

    const failed = await mediaRepo.findById(h.pool, mediaId);
    expect(failed).toMatchObject({ status: "failed", failureReason: expect.stringMatching(/^Processing failed after 5 attempts\./) });
    // The error was about the worker's own directory: nothing of it is shown to the uploader.
    expect(failed?.failureReason).not.toMatch(/ENOENT|does-not-exist|\//);
  });

  it("when the payload is not a media job, then it fails without retries", async () => {
    await expect(processMediaJob(h.jobDeps, { id: "x", data: { mediaId: "not-a-uuid" }, attemptsMade: 0, opts: { attempts: 5 } })).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
  });
});

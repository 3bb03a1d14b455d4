/**
 * The use case against real PostgreSQL, S3 and Redis: what each purge removes, what it must leave alone,
 * dry runs, and runs that stop or fail half-way. The clock is moved forward where S3 and BullMQ stamp times
 * themselves; rows are backdated instead.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { emptyCounts, runCleanup, type CleanupReport } from "../src/cleanup.js";
import {
  DAY,
  DEFAULT_OPTIONS,
  HOUR,
  createArticle,
  createHarness,
  createIdempotencyKeys,
  createMedia,
  createUser,
  finishJobs,
  listKeys,
  putObjects,
  type Harness,
} from "./harness.js";

let harness: Harness;
let userId: string;

beforeAll(async () => {
  harness = await createHarness(1);
});
afterAll(() => harness.close());
beforeEach(async () => {
  await harness.reset();
  userId = await createUser(harness.pool);
});

const ago = (ms: number) => new Date(Date.now() - ms);

/** A report in which only the given counts are non-zero. */
const only = (counts: Partial<CleanupReport["counts"]>): CleanupReport => ({
  counts: { ...emptyCounts(), ...counts },
  interrupted: false,
  failed: [],
});

async function ids(sql: string, params: unknown[] = []): Promise<string[]> {
  const { rows } = await harness.pool.query<{ id: string }>(sql, params);
  return rows.map((row) => row.id).sort();
}

describe("trashed articles", () => {
  it("when articles have been in the trash longer than the retention, then they and their revisions are purged and younger trash stays", async () => {
    const old = [];
    for (let i = 0; i < 3; i++) old.push(await createArticle(harness.pool, userId, "trashed", ago(31 * DAY + i * HOUR)));
    const young = await createArticle(harness.pool, userId, "trashed", ago(29 * DAY));
    const draft = await createArticle(harness.pool, userId, "draft");
    const published = await createArticle(harness.pool, userId, "published");
    await harness.pool.query("UPDATE articles SET created_at = $1, updated_at = $1 WHERE id = ANY ($2::uuid[])", [ago(400 * DAY), [draft, published]]);

    const report = await runCleanup(harness.deps(), { ...DEFAULT_OPTIONS, batchSize: 2 });

    expect(report).toEqual(only({ trashedArticles: 3 }));
    expect(await ids("SELECT id FROM articles")).toEqual([young, draft, published].sort());
    expect(await ids("SELECT DISTINCT article_id AS id FROM article_revisions")).toEqual([young, draft, published].sort());
  });
});

describe("deleted media", () => {
  it("when media is marked deleted, then its objects and then its row are purged, and an article using it as a cover loses the reference", async () => {
    const deleted = await createMedia(harness, { status: "deleted", objects: ["original", "thumb.webp"] });
    await createMedia(harness, { status: "deleted" }); // the API already removed its objects
    const ready = await createMedia(harness, { status: "ready", updatedAt: ago(400 * DAY), objects: ["original", "thumb.webp"] });
    const article = await createArticle(harness.pool, userId, "published");
    await harness.pool.query("UPDATE articles SET cover_media_id = $2 WHERE id = $1", [article, deleted]);

    const report = await runCleanup(harness.deps(), DEFAULT_OPTIONS);

    expect(report).toEqual(only({ deletedMedia: 2, deletedMediaObjects: 2 }));
    expect(await ids("SELECT id FROM media")).toEqual([ready]);
    expect(await listKeys(harness.storage)).toEqual([`media/${ready}/original`, `media/${ready}/thumb.webp`]);
    const { rows } = await harness.pool.query("SELECT cover_media_id FROM articles WHERE id = $1", [article]);
    expect(rows[0].cover_media_id).toBeNull();
  });
});

describe("orphaned objects", () => {
  it("when objects under media/ have no row, then they are purged only once older than the grace period", async () => {
    const withRow = await createMedia(harness, { status: "ready", objects: ["original"] });
    await putObjects(harness.storage, "0b9f6c1e-4d2a-4c7e-9f3b-1a2b3c4d5e6f", ["original", "thumb.webp"]);
    await putObjects(harness.storage, "not-a-uuid", ["original"]); // no row can have this id
    await harness.storage.put("exports/report.csv", Buffer.from("x"), "text/csv");

    const young = await runCleanup(harness.deps(), DEFAULT_OPTIONS);
    const old = await runCleanup(harness.deps(25 * HOUR), { ...DEFAULT_OPTIONS, batchSize: 2 });

    expect(young).toEqual(only({}));
    expect(old).toEqual(only({ orphanObjects: 3 }));
    expect(await listKeys(harness.storage)).toEqual(["exports/report.csv", `media/${withRow}/original`]);
  });
});

describe("abandoned uploads", () => {
  it("when a pending row's original never arrived, then the row is purged once older than the grace period; one with its original stays", async () => {
    await createMedia(harness, { status: "pending", updatedAt: ago(25 * HOUR) });
    const recent = await createMedia(harness, { status: "pending", updatedAt: ago(1 * HOUR) });
    const waitingForWorker = await createMedia(harness, { status: "pending", updatedAt: ago(25 * HOUR), objects: ["original"] });

    const report = await runCleanup(harness.deps(), DEFAULT_OPTIONS);

    expect(report).toEqual(only({ abandonedUploads: 1 }));
    expect(await ids("SELECT id FROM media")).toEqual([recent, waitingForWorker].sort());
    expect(await listKeys(harness.storage)).toEqual([`media/${waitingForWorker}/original`]);
  });
});

describe("idempotency keys", () => {
  it("when keys have expired, then they are purged in batches and live keys stay", async () => {
    await createIdempotencyKeys(harness.pool, userId, { live: 2, expired: 5 });

    const report = await runCleanup(harness.deps(), { ...DEFAULT_OPTIONS, batchSize: 2 });

    expect(report).toEqual(only({ expiredIdempotencyKeys: 5 }));
    const { rows } = await harness.pool.query("SELECT count(*)::int AS n FROM idempotency_keys WHERE expires_at > now()");
    expect(rows[0].n).toBe(2);
    expect((await harness.pool.query("SELECT 1 FROM idempotency_keys")).rowCount).toBe(2);
  });
});

describe("finished media jobs", () => {
  it("when jobs finished longer ago than the queue retention, then they are removed and later ones stay", async () => {
    await finishJobs(harness, { complete: 3, fail: 2 });
    const boundary = Date.now();
    // Job timestamps are milliseconds: make sure the next jobs finish strictly after the boundary.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await finishJobs(harness, { complete: 1, fail: 1 });

    const deps = { ...harness.deps(), clock: () => new Date(boundary + 7 * DAY) };
    const report = await runCleanup(deps, { ...DEFAULT_OPTIONS, batchSize: 2 });

    expect(report).toEqual(only({ completedJobs: 3, failedJobs: 2 }));
    expect(await harness.queue.getJobCounts("completed", "failed")).toEqual({ completed: 1, failed: 1 });
  });
});

describe("dry run", () => {
  it("when run dry, then nothing changes and the counts are those of the real run that follows", async () => {
    await createArticle(harness.pool, userId, "trashed", ago(31 * DAY));
    await createArticle(harness.pool, userId, "trashed");
    await createMedia(harness, { status: "deleted", objects: ["original"] });
    await putObjects(harness.storage, "4f0c2b7a-8e1d-4b3c-a5f6-0d9e8c7b6a51", ["original"]);
    await createMedia(harness, { status: "pending" });
    await createIdempotencyKeys(harness.pool, userId, { live: 1, expired: 2 });
    await finishJobs(harness, { complete: 2, fail: 1 });
    const snapshot = async () => ({
      rows: await ids("SELECT id::text FROM articles UNION ALL SELECT id::text FROM media UNION ALL SELECT user_id || key FROM idempotency_keys"),
      revisions: (await harness.pool.query("SELECT 1 FROM article_revisions")).rowCount,
      objects: await listKeys(harness.storage),
      jobs: await harness.queue.getJobCounts("completed", "failed"),
    });
    const before = await snapshot();
    // Eight days on: past the grace period and the queue retention, within the trash retention of the young article.
    const deps = harness.deps(8 * DAY);

    const dry = await runCleanup(deps, { ...DEFAULT_OPTIONS, dryRun: true, batchSize: 2 });

    expect(await snapshot()).toEqual(before);
    const expected = only({
      trashedArticles: 1,
      deletedMedia: 1,
      deletedMediaObjects: 1,
      orphanObjects: 1,
      abandonedUploads: 1,
      expiredIdempotencyKeys: 2,
      completedJobs: 2,
      failedJobs: 1,
    });
    expect(dry).toEqual(expected);
    expect(await runCleanup(deps, { ...DEFAULT_OPTIONS, batchSize: 2 })).toEqual(expected);
    expect(await runCleanup(deps, { ...DEFAULT_OPTIONS, dryRun: true })).toEqual(only({}));
  });
});

describe("stopping and failing half-way", () => {
  async function deletedMedia(count: number): Promise<string[]> {
    const created = [];
    // One second apart, so the purge order (oldest deletion first) is the creation order.
    for (let i = 0; i < count; i++) created.push(await createMedia(harness, { status: "deleted", updatedAt: ago((count - i) * 1000), objects: ["original"] }));
    return created;
  }

  /** Every media row left still has its objects, and every purged one has none: no half-purged item. */
  async function expectConsistent(all: string[], remaining: string[]): Promise<void> {
    expect(await ids("SELECT id FROM media")).toEqual([...remaining].sort());
    expect(await listKeys(harness.storage)).toEqual(remaining.map((id) => `media/${id}/original`).sort());
    expect(all).toEqual(expect.arrayContaining(remaining));
  }

  it("when a stop is requested during a batch, then that batch completes, the run reports interrupted, and the next run finishes", async () => {
    const media = await deletedMedia(5);
    const stop = new AbortController();
    const deps = harness.deps();
    // The request arrives between the batch's object deletion and its row deletion.
    const storage = {
      ...deps.storage,
      delete: async (keys: string[]) => {
        await deps.storage.delete(keys);
        stop.abort();
      },
    };

    const first = await runCleanup({ ...deps, storage }, { ...DEFAULT_OPTIONS, batchSize: 2, signal: stop.signal });

    expect(first).toEqual({ ...only({ deletedMedia: 2, deletedMediaObjects: 2 }), interrupted: true });
    await expectConsistent(media, media.slice(2));
    const second = await runCleanup(deps, { ...DEFAULT_OPTIONS, batchSize: 2 });
    expect(second).toEqual(only({ deletedMedia: 3, deletedMediaObjects: 3 }));
    await expectConsistent(media, []);
  });

  it("when storage fails after the first batch, then that purge is reported failed, the other purges still run, and the next run finishes", async () => {
    const media = await deletedMedia(5);
    await createIdempotencyKeys(harness.pool, userId, { live: 0, expired: 1 });
    const deps = harness.deps();
    let calls = 0;
    const storage = {
      ...deps.storage,
      delete: async (keys: string[]) => {
        if (++calls > 1) throw new Error("object storage unavailable: injected");
        await deps.storage.delete(keys);
      },
    };

    const first = await runCleanup({ ...deps, storage }, { ...DEFAULT_OPTIONS, batchSize: 2 });

    expect(first).toEqual({ ...only({ deletedMedia: 2, deletedMediaObjects: 2, expiredIdempotencyKeys: 1 }), failed: ["deletedMedia"] });
    await expectConsistent(media, media.slice(2));
    const second = await runCleanup(deps, { ...DEFAULT_OPTIONS, batchSize: 2 });
    expect(second).toEqual(only({ deletedMedia: 3, deletedMediaObjects: 3 }));
    await expectConsistent(media, []);
  });
});

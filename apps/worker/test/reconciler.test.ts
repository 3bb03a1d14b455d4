/**
 * The reconciler against real PostgreSQL and Redis: which pending media it enqueues again, how it replaces a job
 * that BullMQ still remembers as finished, and how replicas take turns. No media worker runs in this file, so
 * every job it enqueues stays waiting where the test can look at it.
 */
import { UnrecoverableError, Worker } from "bullmq";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mediaRepo } from "@folio/db";
import { QUEUE_PREFIX, QUEUES, workerConnection } from "@folio/queue";
import { waitFor } from "@folio/testkit";
import { RECONCILER_LOCK, Reconciler } from "../src/reconciler.js";
import { createHarness, testLogger, type Harness } from "./harness.js";
import { makeJpeg } from "./images.js";

let h: Harness;
let image: Buffer;
const settings = { intervalMs: 60_000, pendingAfterMs: 5 * 60_000, batchSize: 100 };

beforeAll(async () => {
  h = await createHarness();
  image = await makeJpeg({ width: 64, height: 48 });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  // Each test sees only its own rows and jobs.
  await h.pool.query("DELETE FROM media");
  await h.queue.obliterate({ force: true });
});

const reconciler = () => new Reconciler({ pool: h.pool, queue: h.queue, logger: testLogger, metrics: h.metrics }, settings);

/** A pending row whose last change was `minutes` ago. */
async function pendingSince(minutes: number): Promise<string> {
  const mediaId = await h.createMedia(image);
  await h.pool.query("UPDATE media SET updated_at = now() - make_interval(mins => $2) WHERE id = $1", [mediaId, minutes]);
  return mediaId;
}

async function counter(name: "reconcilerEnqueued" | "reconcilerPasses", label: string): Promise<number> {
  const { values } = await h.metrics[name].get();
  return values.filter((value) => Object.values(value.labels).includes(label)).reduce((sum, value) => sum + value.value, 0);
}

/** Runs the queue's jobs through a throwaway worker whose processor settles each one as `outcome` says. */
async function settleJobs(outcome: (mediaId: string) => "fail" | "complete", count: number): Promise<void> {
  const connection = workerConnection(h.redisUrl);
  let settled = 0;
  const worker = new Worker(
    QUEUES.media,
    async (job) => {
      if (outcome((job.data as { mediaId: string }).mediaId) === "fail") throw new UnrecoverableError("made to fail");
    },
    { connection, prefix: QUEUE_PREFIX },
  );
  worker.on("completed", () => settled++);
  worker.on("failed", () => settled++);
  await waitFor(() => settled === count, { description: `${count} jobs to settle` });
  await worker.close();
  connection.disconnect();
}

describe("the reconciler", () => {
  it("when media has been pending longer than the threshold without a job, then a pass enqueues it, and nothing else", async () => {
    const stale = await pendingSince(10);
    const fresh = await pendingSince(1);
    const ready = await pendingSince(10);
    await mediaRepo.markReady(h.pool, ready, { variants: [], width: 64, height: 48 });
    await h.pool.query("UPDATE media SET updated_at = now() - interval '10 minutes' WHERE id = $1", [ready]);
    const before = await counter("reconcilerEnqueued", "none");

    const result = await reconciler().runOnce();

    expect(result).toEqual({ ran: true, examined: 1, enqueued: 1 });
    expect(await (await h.job(stale))?.getState()).toBe("waiting");
    expect(await h.job(fresh)).toBeUndefined();
    expect(await h.job(ready)).toBeUndefined();
    expect(await counter("reconcilerEnqueued", "none")).toBe(before + 1);
  });

  it("when the stale media's job is still waiting, then a pass leaves it as it is", async () => {
    const mediaId = await pendingSince(10);
    await h.enqueue(mediaId);
    const job = await h.job(mediaId);

    const result = await reconciler().runOnce();

    expect(result).toEqual({ ran: true, examined: 1, enqueued: 0 });
    expect((await h.job(mediaId))?.timestamp).toBe(job?.timestamp);
  });

  it("when BullMQ still holds a failed or completed job for media that is pending, then the old job is removed and a new one enqueued", async () => {
    // add() with a known id is a no-op, even for a finished job: without the removal nothing would ever run again.
    const failed = await pendingSince(10);
    const completed = await pendingSince(10);
    await h.enqueue(failed);
    await h.enqueue(completed);
    await settleJobs((mediaId) => (mediaId === failed ? "fail" : "complete"), 2);
    expect(await (await h.job(failed))?.getState()).toBe("failed");
    await h.enqueue(failed);
    expect(await (await h.job(failed))?.getState()).toBe("failed");

    const result = await reconciler().runOnce();

    expect(result).toEqual({ ran: true, examined: 2, enqueued: 2 });
    for (const mediaId of [failed, completed]) {
      const job = await h.job(mediaId);
      expect(await job?.getState()).toBe("waiting");
      expect(job?.attemptsMade).toBe(0);
    }
    expect(await counter("reconcilerEnqueued", "failed")).toBeGreaterThanOrEqual(1);
    expect(await counter("reconcilerEnqueued", "completed")).toBeGreaterThanOrEqual(1);
  });

  it("when another replica holds the reconciler's lock, then this replica skips its pass, and runs once the lock is free", async () => {
    const mediaId = await pendingSince(10);
    const other = new pg.Client({ connectionString: h.databaseUrl });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT pg_advisory_xact_lock(hashtext($1))", [RECONCILER_LOCK]);

      expect(await reconciler().runOnce()).toEqual({ ran: false });
      expect(await h.job(mediaId)).toBeUndefined();

      await other.query("COMMIT");
      expect(await reconciler().runOnce()).toMatchObject({ ran: true, enqueued: 1 });
    } finally {
      await other.end();
    }
  });

  it("when started, then it runs a pass at once and then every interval, and after stop no pass runs", async () => {
    const before = await counter("reconcilerPasses", "done");
    const running = new Reconciler({ pool: h.pool, queue: h.queue, logger: testLogger, metrics: h.metrics }, { ...settings, intervalMs: 100 });

    running.start();
    await waitFor(async () => (await counter("reconcilerPasses", "done")) >= before + 3, { description: "three passes" });
    await running.stop();
    const after = await counter("reconcilerPasses", "done");
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(await counter("reconcilerPasses", "done")).toBe(after);
  });
});

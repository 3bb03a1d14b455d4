/**
 * Redis dies while jobs are waiting.
 * - With appendonly (fsync always), a SIGKILL loses nothing: after the restart the waiting jobs are processed.
 * - With its data wiped, the jobs are gone, but Postgres still says the media is pending: the worker's
 *   reconciler re-enqueues it. Postgres is the source of truth; the queue is derived from it.
 */
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "@folio/testkit";
import { mediaStates, noiseJpeg, upload, workerProcess } from "../src/media.js";
import { createStack, login, step, waitReady, type ServiceProcess, type Stack } from "../src/processes.js";

let stack: Stack | undefined;
let worker: ServiceProcess | undefined;
afterEach(async () => {
  await worker?.kill();
  await stack?.dispose();
});

async function uploadWhileWorkerIsDown(count: number): Promise<string[]> {
  const token = await login(stack!.apiUrl, stack!.admin);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await upload(stack!, token, await noiseJpeg(800, 600), `waiting-${i}.jpg`);
    expect(res.status).toBe(201);
    ids.push(res.id!);
  }
  return ids;
}

async function allReady(ids: string[], what: ServiceProcess): Promise<void> {
  await waitFor(
    async () => {
      const states = await mediaStates(stack!);
      return ids.every((id) => states.get(id)?.status === "ready");
    },
    { timeoutMs: 90_000, intervalMs: 500, description: "every media item to be ready" },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${what.output()}`);
  });
}

describe("when Redis is killed with jobs waiting", () => {
  it("then with appendonly on, the jobs survive the restart and are processed", async () => {
    stack = await createStack({ redis: { appendonly: true, appendfsync: "always" } });
    stack.api.start();
    await waitReady(stack.apiUrl, stack.api);
    const ids = await uploadWhileWorkerIsDown(6);
    step("6 jobs waiting; killing redis");
    await stack.redis.kill();
    await stack.redis.start();
    step("redis restarted from its append-only file");
    const redis = new Redis(stack.redis.url);
    const waiting = await redis.llen("folio:media:wait");
    await redis.quit();
    expect(waiting).toBe(6);
    ({ worker } = await workerProcess(stack, { RECONCILE_INTERVAL_MS: "3600000" }));
    worker.start();
    await allReady(ids, worker);
    step("all 6 processed from the surviving queue, without the reconciler");
  });

  it("then with Redis data wiped, the reconciler re-enqueues the pending media", async () => {
    stack = await createStack();
    stack.api.start();
    await waitReady(stack.apiUrl, stack.api);
    const ids = await uploadWhileWorkerIsDown(4);
    const redis = new Redis(stack.redis.url);
    await redis.flushall();
    await redis.quit();
    step("redis wiped: the 4 jobs are gone, the rows are pending");
    expect([...(await mediaStates(stack)).values()].every((media) => media.status === "pending")).toBe(true);
    ({ worker } = await workerProcess(stack, { RECONCILE_INTERVAL_MS: "500", RECONCILE_PENDING_AFTER_MS: "1000" }));
    worker.start();
    const started = Date.now();
    await allReady(ids, worker);
    step(`the reconciler re-enqueued them; all ready ${Date.now() - started} ms after the worker started`);
  });
});

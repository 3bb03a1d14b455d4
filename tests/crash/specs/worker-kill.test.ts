/**
 * Kill the image worker (SIGKILL) while it is processing a batch of uploads, then start it again.
 * BullMQ hands the interrupted jobs to the restarted worker once their locks expire (stalled jobs).
 * Every media row must end `ready` exactly once, with one set of variants, each stored once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@folio/testkit";
import { mediaStates, noiseJpeg, storedKeys, upload, workerProcess } from "../src/media.js";
import { createStack, login, step, waitReady, type ServiceProcess, type Stack } from "../src/processes.js";

let stack: Stack;
let worker: ServiceProcess;
let workerUrl: string;
beforeAll(async () => {
  stack = await createStack();
  stack.api.start();
  await waitReady(stack.apiUrl, stack.api);
  // Short stall detection, so the test does not wait BullMQ's default 30 s for a dead worker's locks.
  ({ worker, url: workerUrl } = await workerProcess(stack, { WORKER_CONCURRENCY: "2", WORKER_LOCK_DURATION_MS: "3000", WORKER_STALLED_INTERVAL_MS: "1000" }));
});
afterAll(async () => {
  await worker?.kill();
  await stack?.dispose();
});

describe("when the worker is killed while processing a batch", () => {
  it("then after a restart every media item is ready once, with each variant stored once", async () => {
    const token = await login(stack.apiUrl, stack.admin);
    worker.start();
    await waitReady(workerUrl, worker);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await upload(stack, token, await noiseJpeg(), `batch-${i}.jpg`);
      expect(res.status).toBe(201);
      ids.push(res.id!);
    }
    // Kill it once some, but not all, are done: jobs are in flight.
    await waitFor(async () => [...(await mediaStates(stack)).values()].filter((m) => m.status === "ready").length >= 2, {
      timeoutMs: 60_000,
      description: "the first items to be ready",
    });
    const before = [...(await mediaStates(stack)).values()].filter((m) => m.status === "ready").length;
    step(`${before}/12 ready; killing the worker`);
    await worker.kill();
    worker.start();
    step("worker restarted");
    await waitFor(async () => [...(await mediaStates(stack)).values()].every((m) => m.status === "ready"), {
      timeoutMs: 90_000,
      intervalMs: 500,
      description: "every media item to be ready",
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${worker.output()}`);
    });

    const states = await mediaStates(stack);
    const keys = await storedKeys(stack);
    for (const id of ids) {
      const media = states.get(id)!;
      const names = media.variants.map((variant) => variant.name);
      expect(new Set(names).size, `${id}: duplicate variant names ${names.join(",")}`).toBe(names.length);
      expect(names.length).toBeGreaterThanOrEqual(4);
      const mine = keys.filter((key) => key.startsWith(`media/${id}/`));
      expect(mine.sort()).toEqual([`media/${id}/original`, ...media.variants.map((variant) => variant.key)].sort());
    }
    step(`all 12 ready; ${keys.length} objects, as expected`);
  });
});

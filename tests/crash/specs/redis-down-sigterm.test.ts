/**
 * SIGTERM while Redis is down (a node drain during a Redis outage): the API and the worker must not wait for Redis
 * to come back. Connections that keep commands while disconnected (the worker's, the cache's subscriber) would
 * hold a QUIT until then, so the shutdown used to run into its deadline and exit 1.
 */
import { afterEach, describe, expect, it } from "vitest";
import { workerProcess } from "../src/media.js";
import { createStack, step, waitReady, type ServiceProcess, type Stack } from "../src/processes.js";

let stack: Stack | undefined;
let worker: ServiceProcess | undefined;
afterEach(async () => {
  await worker?.kill();
  await stack?.dispose();
});

describe("when SIGTERM arrives while Redis is down", () => {
  it("then the API and the worker finish their shutdown steps and exit 0, without waiting for Redis", async () => {
    stack = await createStack({ env: { SHUTDOWN_DELAY_MS: "0", SHUTDOWN_TIMEOUT_MS: "15000" } });
    stack.api.start();
    await waitReady(stack.apiUrl, stack.api);
    let workerUrl: string;
    // The stalled-jobs check runs every 500 ms, so while Redis is down there are always commands waiting in the
    // worker connection's offline queue, as there are in production after WORKER_STALLED_INTERVAL_MS.
    ({ worker, url: workerUrl } = await workerProcess(stack, { WORKER_DRAIN_TIMEOUT_MS: "2000", WORKER_STALLED_INTERVAL_MS: "500" }));
    worker.start();
    await waitReady(workerUrl, worker);
    await stack.redis.stop();
    // Both have noticed: their connections are reconnecting, and the worker's commands wait in its offline queue.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const signalledAt = Date.now();
    const [api, work] = await Promise.all([
      stack.api.stop().then((code) => ({ code, ms: Date.now() - signalledAt })),
      worker.stop().then((code) => ({ code, ms: Date.now() - signalledAt })),
    ]);
    step(`API exited ${api.code} after ${api.ms} ms, worker exited ${work.code} after ${work.ms} ms (drain bounded at 2 s, deadline 15 s)`);

    expect(api.code, stack.api.output()).toBe(0);
    expect(work.code, worker.output()).toBe(0);
    expect(api.ms).toBeLessThan(10_000);
    expect(work.ms).toBeLessThan(10_000);
  });
});

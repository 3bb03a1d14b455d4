/**
 * SIGTERM to the worker while it processes a batch (a rolling update, or the autoscaler scaling down).
 * It must stop within its deadline and exit 0, and no job may be lost or failed: jobs it did not finish
 * are picked up by the next worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@folio/testkit";
import { mediaStates, noiseJpeg, upload, workerProcess } from "../src/media.js";
import { createStack, login, step, waitReady, type ServiceProcess, type Stack } from "../src/processes.js";

let stack: Stack;
let worker: ServiceProcess;
let workerUrl: string;
beforeAll(async () => {
  stack = await createStack();
  stack.api.start();
  await waitReady(stack.apiUrl, stack.api);
  ({ worker, url: workerUrl } = await workerProcess(stack, { SHUTDOWN_DELAY_MS: "0", SHUTDOWN_TIMEOUT_MS: "15000" }));
});
afterAll(async () => {
  await worker?.kill();
  await stack?.dispose();
});

describe("when the worker gets SIGTERM during a batch", () => {
  it("then it exits 0 in time and every job is completed by it or by the next worker", async () => {
    const token = await login(stack.apiUrl, stack.admin);
    worker.start();
    await waitReady(workerUrl, worker);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await upload(stack, token, await noiseJpeg(), `term-${i}.jpg`)).id!);
    await waitFor(async () => [...(await mediaStates(stack)).values()].some((m) => m.status === "ready"), {
      timeoutMs: 60_000,
      description: "the first item to be ready",
    });
    const signalledAt = Date.now();
    const code = await worker.stop();
    const stoppedIn = Date.now() - signalledAt;
    const states = await mediaStates(stack);
    const readyAtStop = ids.filter((id) => states.get(id)?.status === "ready").length;
    step(`worker exited ${code} after ${stoppedIn} ms with ${readyAtStop}/10 ready`);
    expect(code, worker.output()).toBe(0);
    expect(stoppedIn).toBeLessThan(15_000);
    expect(ids.some((id) => states.get(id)?.status === "failed")).toBe(false);

    worker.start();
    await waitFor(async () => {
      const now = await mediaStates(stack);
      return ids.every((id) => now.get(id)?.status === "ready");
    }, { timeoutMs: 90_000, intervalMs: 500, description: "every item to be ready after the restart" });
    step("the next worker finished the rest; none failed, none lost");
  });
});

/**
 * Scenario 6, the Valkey node killed while jobs wait: with the workers stopped, uploads queue up in Valkey; then
 * Valkey's node loses power. Valkey comes back on the same node from its append-only file (fsync every second)
 * and the jobs are still there, or, for the last second's writes, the worker's reconciler enqueues the media
 * rows still pending in PostgreSQL again. Either way every acknowledged upload ends ready, once.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@folio/scripts/lib/eventually.ts";
import { statefulPod } from "../helpers/cluster.ts";
import { useScenario, type Scenario } from "../helpers/scenario.ts";
import { timeout } from "../helpers/timeouts.ts";

describe("6. the Valkey node killed: waiting jobs survive", () => {
  const scenario = useScenario("06", "Valkey node killed");
  let s: Scenario;
  let workerReplicas = 2;
  beforeAll(() => {
    s = scenario();
  });
  afterAll(async () => {
    // The workers were scaled down by hand; give them back to the release's count whatever happened.
    await s.cluster.kube.run(["scale", "deployment", `${s.cluster.release}-worker`, "-n", s.cluster.namespace, `--replicas=${workerReplicas}`], { nothrow: true });
  });

  it("when Valkey's node is killed while uploads wait for a worker, then after it returns every upload is processed", async () => {
    const deployment = await s.cluster.kube.json<{ spec: { replicas: number } }>(["get", "deployment", `${s.cluster.release}-worker`, "-n", s.cluster.namespace]);
    workerReplicas = deployment.spec.replicas;
    await s.step("scale the workers to 0, so uploads wait in the queue", async () => {
      await s.cluster.kube.run(["scale", "deployment", `${s.cluster.release}-worker`, "-n", s.cluster.namespace, "--replicas=0"]);
      await eventually(() => s.cluster.componentPods("worker"), { timeout: timeout("POD_READY"), interval: 1_000, description: "no worker pods", until: (pods) => pods.length === 0 });
    });
    const load = s.load({ writers: 1, readers: 1, uploaders: 2, uploaderPauseMs: 300 }).start();
    await s.step("upload for 20 s", () => sleep(20_000));
    await load.stop(30_000);
    const waiting = load.ledger.media.size;
    s.timeline.fact("uploadsWaiting", waiting);
    expect(waiting).toBeGreaterThan(5);

    const redis = statefulPod(s.cluster.release, "redis");
    const node = await s.cluster.nodeOf(redis);
    const killedAt = await s.step(`kill ${node}, which runs ${redis}`, () => s.faults.kill(node));
    await s.step("keep it down for 20 s", () => sleep(20_000));
    await s.step(`start ${node}`, () => s.faults.start(node));
    const back = await s.step(`wait for ${redis} to be Ready`, () => s.cluster.waitPodReady(redis, { startedAfter: killedAt }));
    expect(back!.node).toBe(node);
    s.timeline.mark("recovered", `${redis} Ready`);
    s.timeline.fact("valkeyBackAfterSeconds", (Date.now() - killedAt!) / 1000);

    await s.step(`scale the workers back to ${workerReplicas}`, () => s.cluster.kube.run(["scale", "deployment", `${s.cluster.release}-worker`, "-n", s.cluster.namespace, `--replicas=${workerReplicas}`]));
    const verification = await s.step("wait for every upload to be processed and read everything back", () => s.verify(load));
    s.timeline.mark("recovered", "every upload processed");
    expect(verification!.problems).toEqual([]);
    expect(verification!.media).toBe(waiting);
  });
});

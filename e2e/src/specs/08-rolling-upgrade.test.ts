/**
 * Scenario 8, a rolling upgrade and a rollback under load, with zero failed requests. What makes that hold:
 * readiness that fails as soon as a pod is told to stop, a drain delay before the server closes (so the ingress
 * has stopped sending it requests), maxUnavailable 0 with maxSurge 1, and PodDisruptionBudgets.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useScenario, type Scenario } from "../helpers/scenario.ts";

describe("8. rolling upgrade and rollback under load", () => {
  const scenario = useScenario("08", "Rolling upgrade and rollback");
  let s: Scenario;
  let before = 0;
  beforeAll(() => {
    s = scenario();
  });
  afterAll(async () => {
    // Leave the release at its starting configuration even when an assertion failed mid-way.
    if (before && (await s.cluster.helmRevision()) !== before) await s.cluster.helmRollback(before).catch(() => undefined);
  });

  it("when the release is upgraded with a changed setting and then rolled back, then no request fails", async () => {
    before = await s.cluster.helmRevision();
    const apiPods = (await s.cluster.componentPods("api")).map((pod) => pod.name).sort();
    const load = s.load({ uploaders: 0, writers: 2, readers: 3 }).start();
    await s.step("load for 10 s", () => sleep(10_000));

    const upgradeStarted = s.timeline.mark("fault", "helm upgrade (logLevel debug): every Deployment rolls");
    const upgraded = await s.step("helm upgrade --set logLevel=debug, waiting for the rollout", () => s.cluster.helmUpgrade({ logLevel: "debug" }));
    s.timeline.mark("recovered", `revision ${upgraded} rolled out`);
    s.timeline.fact("upgradeSeconds", (Date.now() - upgradeStarted) / 1000);
    const rolled = (await s.cluster.componentPods("api")).map((pod) => pod.name).sort();
    expect(rolled, "the API pods are new ones").not.toEqual(apiPods);
    await s.step("load for 10 s on the new revision", () => sleep(10_000));

    const rollbackStarted = s.timeline.mark("fault", `helm rollback to revision ${before}`);
    await s.step(`helm rollback to revision ${before}`, () => s.cluster.helmRollback(before));
    s.timeline.mark("recovered", "rollback rolled out");
    s.timeline.fact("rollbackSeconds", (Date.now() - rollbackStarted) / 1000);
    await s.step("load for 10 s after the rollback", () => sleep(10_000));

    const verification = await s.step("stop the load and read every acknowledged write back", () => s.verify(load));
    const failed = s.timeline.requests.filter((request) => !request.ok);
    s.timeline.fact("failedRequests", failed.length);
    s.timeline.fact("requests", s.timeline.requests.length);
    expect(failed.map((request) => `${new Date(request.t).toISOString()} ${request.op} ${request.status || request.error} after ${request.ms} ms`)).toEqual([]);
    expect(verification!.problems).toEqual([]);
  });
});

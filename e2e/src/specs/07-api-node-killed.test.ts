/**
 * Scenario 7, an API node killed under steady load: one of the two API replicas dies with its node. Until the
 * control plane notices (node-monitor-grace-period), the ingress still sends some requests there; they fail
 * within Traefik's 2 s dial timeout, the clients retry with the same Idempotency-Key, and the other replica
 * answers. The error window is recorded; no acknowledged write is lost and none is duplicated.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { chooseNode, useScenario, type Scenario } from "../helpers/scenario.ts";

describe("7. an API node killed under steady load", () => {
  const scenario = useScenario("07", "API node killed");
  let s: Scenario;
  beforeAll(() => {
    s = scenario();
  });

  it("when the node of one API replica is killed, then the other serves, and every acknowledged write survives exactly once", async () => {
    const apis = await s.cluster.componentPods("api");
    expect(apis.filter((pod) => pod.ready).length).toBeGreaterThanOrEqual(2);
    const node = await chooseNode(s, apis.map((pod) => pod.node!));
    const load = s.load({ writers: 4 }).start();
    await s.step("steady load for 15 s", () => sleep(15_000));
    const killedAt = await s.step(`kill ${node}, which runs an API replica`, () => s.faults.kill(node));
    await s.step(`wait for ${node} to be NotReady`, () => s.cluster.waitNode(node, false));
    s.timeline.mark("noticed", `${node} NotReady`);
    await s.step("load goes on for 30 s", () => sleep(30_000));
    const window = s.timeline.summarize().errorWindow;
    s.timeline.fact("errorWindowSeconds", window?.seconds ?? 0);
    s.timeline.fact("failedRequests", window?.failed ?? 0);
    const lastFailure = Math.max(killedAt!, ...s.timeline.requests.filter((request) => !request.ok).map((request) => request.t));
    s.timeline.mark("recovered", "last failed request", lastFailure);

    await s.step(`start ${node} again`, () => s.faults.start(node));
    await s.step("wait for every workload", () => s.cluster.waitAllReady());
    const verification = await s.step("stop the load and read every acknowledged write back", () => s.verify(load));
    expect(verification!.problems).toEqual([]);
    expect(verification!.articles).toBeGreaterThan(20);
  });
});

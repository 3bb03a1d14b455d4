/**
 * Scenario 12, a network partition: a worker node that runs an API replica is cut off the cluster's network for
 * a minute, then reconnected. Unlike a dead node, it keeps running: its pods go on, unreachable. The control plane
 * marks it NotReady after the grace period and evicts its pods 20 s later (tolerations), so replacements start
 * elsewhere; when the network returns, the node's kubelet learns that its pods were deleted and stops them.
 * Writes see the time until the ingress stops sending requests to the cut-off replica, and no acknowledged write
 * is lost or doubled.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { chooseNode, useScenario, type Scenario } from "../helpers/scenario.ts";

/** Long enough for the node to be NotReady (30 s) and its pods evicted (20 s more). */
const CUT_SECONDS = 60;

describe("12. a node's network cut for a minute", () => {
  const scenario = useScenario("12", "Network partition");
  let s: Scenario;
  beforeAll(() => {
    s = scenario();
  });

  it("when a node running an API replica is cut off and reconnected, then every acknowledged write survives exactly once", async () => {
    const apis = await s.cluster.componentPods("api");
    const node = await chooseNode(s, apis.map((pod) => pod.node!));
    const load = s.load({ writers: 4 }).start();
    await s.step("steady load for 10 s", () => sleep(10_000));

    const cutAt = await s.step(`cut ${node} off the network`, () => s.faults.disconnect(node));
    await s.step(`wait for ${node} to be NotReady`, () => s.cluster.waitNode(node, false));
    const notReady = s.timeline.mark("noticed", `${node} NotReady`);
    s.timeline.fact("nodeNotReadyAfterSeconds", (notReady - cutAt!) / 1000);
    await s.step(`keep ${node} cut off for ${CUT_SECONDS} s in all`, () => sleep(Math.max(0, cutAt! + CUT_SECONDS * 1000 - Date.now())));

    // Docker may give the node another address on the network; reconnect points kubelet at it (a limit of kind).
    const reconnectedAt = await s.step(`reconnect ${node}`, () => s.faults.reconnect(node));
    await s.step(`wait for ${node} to be Ready`, () => s.cluster.waitNode(node, true));
    await s.step("wait for every workload", () => s.cluster.waitAllReady());
    s.timeline.mark("recovered", "every workload ready");
    await s.step("load for 10 s more", () => sleep(10_000));

    const summary = s.timeline.summarize();
    s.timeline.fact("errorWindowSeconds", summary.errorWindow?.seconds ?? 0);
    s.timeline.fact("failedRequests", summary.errorWindow?.failed ?? 0);
    const afterReconnect = s.timeline.between(reconnectedAt!).filter((request) => !request.ok);
    s.timeline.fact("failedAfterReconnect", afterReconnect.length);
    const verification = await s.step("stop the load and read every acknowledged write back", () => s.verify(load));
    expect(verification!.problems).toEqual([]);
    expect(verification!.articles).toBeGreaterThan(20);
  });
});

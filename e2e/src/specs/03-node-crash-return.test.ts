/**
 * Scenario 3, node crash and return: the worker node that runs PostgreSQL loses power (docker kill) and comes
 * back. While it is gone, the API answers writes with 503 database_unavailable and does so quickly, never
 * hanging; after it returns, PostgreSQL starts on the same node from its node-local volume, nothing was evicted
 * (the node was back before node-monitor-grace-period plus the tolerations), and every acknowledged write is there.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@folio/scripts/lib/eventually.ts";
import { statefulPod } from "../helpers/cluster.ts";
import { useScenario, type Scenario } from "../helpers/scenario.ts";
import { timeout } from "../helpers/timeouts.ts";

/** Down for less than the grace period (30 s) plus the tolerations (20 s), so nothing is evicted. */
const DOWN_SECONDS = 35;

describe("3. node crash and return: the database's node is killed and started again", () => {
  const scenario = useScenario("03", "Node crash and return");
  let s: Scenario;
  beforeAll(() => {
    s = scenario();
  });

  it("when the node that runs PostgreSQL is killed, then writes fail fast with 503, and once it returns everything recovers on the same node with no acknowledged write lost", async () => {
    const postgres = statefulPod(s.cluster.release, "postgres");
    const node = await s.cluster.nodeOf(postgres);
    const claim = `data-${postgres}`;
    const volume = await s.cluster.volumeOf(claim);
    const load = s.load({ uploaders: 0 }).start();
    await s.step("load running for 10 s", () => sleep(10_000));

    const killedAt = await s.step(`kill ${node}, which runs ${postgres}`, () => s.faults.kill(node));
    await s.step(`keep ${node} down for ${DOWN_SECONDS} s`, () => sleep(DOWN_SECONDS * 1000));
    const failedWrites = s.timeline.between(killedAt!, Date.now(), "write").filter((request) => !request.ok);
    expect(failedWrites.length, "writes must fail while the database is gone").toBeGreaterThan(0);
    const noticed = Math.min(...failedWrites.map((request) => request.t));
    s.timeline.mark("noticed", "first failed write", noticed);
    const answered503 = failedWrites.filter((request) => request.status === 503);
    s.timeline.fact("failedWrites", failedWrites.length);
    s.timeline.fact("failedWrites503", answered503.length);
    const slowest = Math.max(...answered503.map((request) => request.ms));
    s.timeline.fact("slowest503Ms", slowest);
    expect(answered503.length, "the API must say the database is unavailable (503), not time out").toBeGreaterThan(0);
    expect(slowest, "a 503 must come quickly (the pool's connect timeout), not after the client gives up").toBeLessThan(10_000);

    await s.step(`start ${node}`, () => s.faults.start(node));
    await s.step(`wait for ${node} to be Ready`, () => s.cluster.waitNode(node, true));
    const pod = await s.step(`wait for ${postgres} to be Ready`, () => s.cluster.waitPodReady(postgres, { startedAfter: killedAt }));
    expect(pod!.node, "PostgreSQL must come back on its node, where its local volume is").toBe(node);
    expect((await s.cluster.volumeOf(claim)).uid).toBe(volume.uid);
    const startedAt = s.timeline.marks.find((mark) => mark.label === `${node} started`)!.t;
    const recovered = await eventually(() => s.firstSuccess("write", startedAt), { timeout: timeout("RECOVERY"), interval: 1_000, description: "a successful write after the node returned", until: (t) => t !== undefined });
    s.timeline.mark("recovered", "first successful write", recovered);
    s.timeline.fact("writesFailedForSeconds", (recovered! - noticed) / 1000);
    s.timeline.fact("recoveredAfterStartSeconds", (recovered! - startedAt) / 1000);

    await s.step("load running for 10 s after recovery", () => sleep(10_000));
    const verification = await s.step("stop the load and read every acknowledged write back", () => s.verify(load));
    expect(verification!.problems).toEqual([]);
    expect(verification!.articles).toBeGreaterThan(10);
  });
});
